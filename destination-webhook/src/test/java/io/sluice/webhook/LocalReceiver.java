package io.sluice.webhook;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A real HTTP server on 127.0.0.1 standing in for a customer's webhook: it checks each request's
 * X-Signature itself (a request with a wrong one is answered 401 and not kept), keeps the calls it
 * accepted, answers chosen statuses or late on demand, and can stop and start again on its port.
 */
final class LocalReceiver implements AutoCloseable {

    /** One accepted request: its headers and exact body. */
    record Request(Map<String, List<String>> headers, byte[] body) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    private static final JsonFactory JSON = new JsonFactory();

    private final String sharedSecret;
    private final ConcurrentLinkedQueue<Request> accepted = new ConcurrentLinkedQueue<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger badSignatures = new AtomicInteger();
    /** Statuses to answer next, one per request, then 200 again. */
    private final ConcurrentLinkedQueue<Answer> planned = new ConcurrentLinkedQueue<>();
    private final AtomicReference<HttpServer> server = new AtomicReference<>();
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "local-receiver");
        t.setDaemon(true);
        return t;
    });
    private int port;

    private record Answer(int status, Map<String, String> headers, Duration delay) {}

    private LocalReceiver(String sharedSecret) {
        this.sharedSecret = sharedSecret;
    }

    /** A receiver that requires requests signed with {@code sharedSecret}; null for unsigned requests. */
    static LocalReceiver start(String sharedSecret) {
        LocalReceiver receiver = new LocalReceiver(sharedSecret);
        receiver.listen(0);
        return receiver;
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + port + "/hooks/segment");
    }

    private void listen(int onPort) {
        try {
            HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort), 100);
            http.createContext("/", this::handle);
            http.setExecutor(threads);
            http.start();
            port = http.getAddress().getPort();
            server.set(http);
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on 127.0.0.1:" + onPort, e);
        }
    }

    /** Stops listening: connections are refused until {@link #restart()}. */
    void stop() {
        HttpServer http = server.getAndSet(null);
        if (http != null) {
            http.stop(0);
        }
    }

    /** Listens again on the same port. */
    void restart() {
        stop();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                listen(port);
                return;
            } catch (IllegalStateException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                sleep(Duration.ofMillis(50));
            }
        }
    }

    /** The next {@code count} requests are answered {@code status} (with these headers), and not kept. */
    void answer(int count, int status, Map<String, String> headers) {
        for (int i = 0; i < count; i++) {
            planned.add(new Answer(status, headers, Duration.ZERO));
        }
    }

    /** The next {@code count} requests are answered 200 only after {@code delay}. */
    void delay(int count, Duration delay) {
        for (int i = 0; i < count; i++) {
            planned.add(new Answer(200, Map.of(), delay));
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            requests.incrementAndGet();
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            Answer answer = planned.poll();
            if (answer == null) {
                answer = new Answer(200, Map.of(), Duration.ZERO);
            }
            if (!answer.delay().isZero()) {
                sleep(answer.delay());
            }
            int status = answer.status();
            if (status == 200 && sharedSecret != null && !signatureHolds(exchange.getRequestHeaders().getFirst("X-Signature"), body)) {
                badSignatures.incrementAndGet();
                status = 401;
            }
            if (status == 200) {
                accepted.add(new Request(Map.copyOf(exchange.getRequestHeaders()), body));
            }
            answer.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
            exchange.sendResponseHeaders(status, -1);
        }
    }

    /** Recomputes the HMAC-SHA1 of the body the receiver got, as a customer's service does. */
    private boolean signatureHolds(String signature, byte[] body) {
        if (signature == null) {
            return false;
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(sharedSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            byte[] expected = mac.doFinal(body);
            return MessageDigest.isEqual(expected, HexFormat.of().parseHex(signature));
        } catch (Exception e) {
            return false;
        }
    }

    List<Request> accepted() {
        return List.copyOf(accepted);
    }

    int requests() {
        return requests.get();
    }

    int badSignatures() {
        return badSignatures.get();
    }

    /** Every call accepted so far, in arrival order: the objects of a batch's array, byte for byte. */
    List<byte[]> calls() {
        List<byte[]> calls = new ArrayList<>();
        for (Request request : accepted) {
            calls.addAll(split(request.body()));
        }
        return calls;
    }

    /** A body as calls: itself when it is one object, its elements' exact bytes when it is an array. */
    static List<byte[]> split(byte[] body) {
        try (JsonParser parser = JSON.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_ARRAY) {
                return List.of(body);
            }
            List<byte[]> calls = new ArrayList<>();
            while (parser.nextToken() == JsonToken.START_OBJECT) {
                int start = (int) parser.currentTokenLocation().getByteOffset();
                parser.skipChildren();
                int end = (int) parser.currentLocation().getByteOffset();
                calls.add(Arrays.copyOfRange(body, start, end));
            }
            return calls;
        } catch (IOException e) {
            throw new IllegalStateException("the receiver got a body that is not JSON", e);
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
        threads.shutdownNow();
    }
}
