package ${package};

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.sluice.conformance.TestTarget;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for the real endpoint on 127.0.0.1: it keeps what it was sent, and fails on demand the
 * way the real one would. Replace it with an emulator of your service (or the service's own test
 * server) when you change the destination.
 */
final class LocalWebhook implements TestTarget {

    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "local-webhook");
        t.setDaemon(true);
        return t;
    });
    private final List<byte[]> received = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger unavailable = new AtomicInteger();
    private final AtomicInteger badRequest = new AtomicInteger();
    private final AtomicInteger unauthorized = new AtomicInteger();
    private final AtomicInteger slow = new AtomicInteger();
    private volatile Duration delay = Duration.ZERO;

    LocalWebhook() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/events", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    @Override
    public Map<String, Object> settings() {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("url", "http://127.0.0.1:" + server.getAddress().getPort() + "/events");
        settings.put("apiKey", "test-key");
        return settings;
    }

    /** One message per line of each request body. */
    @Override
    public List<byte[]> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    @Override
    public void injectRetryableFailures(int requests) {
        unavailable.addAndGet(requests);
    }

    @Override
    public void injectPermanentFailures(int requests) {
        badRequest.addAndGet(requests);
    }

    @Override
    public void injectConfigurationFailures(int requests) {
        unauthorized.addAndGet(requests);
    }

    @Override
    public void delayResponses(int requests, Duration delay) {
        this.delay = delay;
        slow.addAndGet(requests);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (take(slow)) {
                Thread.sleep(delay.toMillis());
            }
            int status = take(unavailable) ? 503 : take(badRequest) ? 400 : take(unauthorized) ? 401 : 200;
            if (status == 200) {
                int start = 0;
                for (int i = 0; i < body.length; i++) {
                    if (body[i] == '\n') {
                        if (i > start) {
                            received.add(Arrays.copyOfRange(body, start, i));
                        }
                        start = i + 1;
                    }
                }
            }
            exchange.sendResponseHeaders(status, -1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean take(AtomicInteger counter) {
        return counter.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
