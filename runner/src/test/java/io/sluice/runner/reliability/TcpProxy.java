package io.sluice.runner.reliability;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP forwarder on 127.0.0.1 in front of a server, so a test controls the wire between Sluice and
 * the server: {@link #stall} holds every byte (requests hang as on a stuck network), {@link #cut}
 * closes the listening socket and every connection (clients get refused connections, as from a dead
 * server), and {@link #reopen} listens again on the same port, forwarding to a possibly new server.
 */
final class TcpProxy implements AutoCloseable {

    private final int port;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile int targetPort;
    private volatile boolean stalled;
    private volatile ServerSocket listener;

    private TcpProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.listener = bind(0);
        this.port = listener.getLocalPort();
        acceptLoop(listener);
    }

    static TcpProxy to(URI target) throws IOException {
        return new TcpProxy(target.getPort());
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** Holds every byte in either direction until called with false. */
    void stall(boolean value) {
        stalled = value;
    }

    /** Closes the listening socket and every open connection: new connections are refused. */
    synchronized void cut() throws IOException {
        ServerSocket current = listener;
        listener = null;
        if (current != null) {
            current.close();
        }
        for (Socket s : sockets) {
            try {
                s.setSoLinger(true, 0); // reset, so no connection lingers on the port
            } catch (IOException e) {
                // already closed
            }
            closeQuietly(s);
        }
        sockets.clear();
    }

    /** Listens again on the same port, now forwarding to {@code target}. */
    synchronized void reopen(URI target) throws IOException {
        targetPort = target.getPort();
        stalled = false;
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            try {
                listener = bind(port);
                break;
            } catch (java.net.BindException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
        acceptLoop(listener);
    }

    private static ServerSocket bind(int port) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
        return socket;
    }

    private void acceptLoop(ServerSocket server) {
        Thread accepter = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    Socket upstream = new Socket();
                    try {
                        upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5_000);
                    } catch (IOException e) {
                        closeQuietly(client);
                        continue;
                    }
                    sockets.add(client);
                    sockets.add(upstream);
                    pump(client, upstream);
                    pump(upstream, client);
                } catch (IOException e) {
                    // closed by cut()
                }
            }
        }, "tcp-proxy-accept-" + port);
        accepter.setDaemon(true);
        accepter.start();
    }

    private void pump(Socket from, Socket to) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    while (stalled && !from.isClosed()) {
                        Thread.sleep(10);
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // one side closed
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                sockets.remove(from);
                sockets.remove(to);
            }
        }, "tcp-proxy-pump");
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        cut();
    }
}
