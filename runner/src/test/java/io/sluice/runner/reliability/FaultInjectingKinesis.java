package io.sluice.runner.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Kinesis endpoint on 127.0.0.1 speaking the real JSON protocol ({@code application/x-amz-json-1.1},
 * {@code X-Amz-Target: Kinesis_20131202.*}) that forwards to kinesalite and injects faults, since no
 * local server throttles:
 * <ul>
 *   <li>during a fault window, every {@code failEvery}-th PutRecords is answered 500
 *       {@code InternalFailure} and, in the others, each entry fails with probability {@code rate}
 *       with {@code ProvisionedThroughputExceededException} or {@code InternalFailure}; a failed entry
 *       is not forwarded, so it is stored only if Sluice sends it again;</li>
 *   <li>{@link #failEverything} answers every PutRecords 500 until switched off.</li>
 * </ul>
 * It counts, per {@code messageId}, how often an entry was sent, failed, and forwarded.
 */
final class FaultInjectingKinesis implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> NOT_FORWARDED =
            Set.of("host", "content-length", "connection", "expect", "upgrade", "transfer-encoding");
    private static final String AMZ_JSON = "application/x-amz-json-1.1";

    private final URI upstream;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(8);
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final Random random;

    private volatile long faultsUntilNanos;
    private volatile double entryFailureRate;
    private volatile int failEvery;
    private volatile boolean failEverything;

    final Map<String, Integer> sent = new ConcurrentHashMap<>();
    final Map<String, Integer> failedEntries = new ConcurrentHashMap<>();
    final Map<String, Integer> failedRequests = new ConcurrentHashMap<>();
    final Map<String, Integer> forwarded = new ConcurrentHashMap<>();
    final AtomicLong putRecords = new AtomicLong();
    final AtomicLong answered500 = new AtomicLong();
    final AtomicLong throttledEntries = new AtomicLong();
    final AtomicLong internalFailureEntries = new AtomicLong();
    final AtomicLong requestsWithFailedEntries = new AtomicLong();

    private FaultInjectingKinesis(URI upstream, long seed) throws IOException {
        this.upstream = upstream;
        this.random = new Random(seed);
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    static FaultInjectingKinesis inFrontOf(URI upstream, long seed) throws IOException {
        return new FaultInjectingKinesis(upstream, seed);
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** From now on, for {@code window}: every {@code failEvery}-th PutRecords 500, else entries fail at {@code rate}. */
    void faultWindow(Duration window, double rate, int failEvery) {
        this.entryFailureRate = rate;
        this.failEvery = failEvery;
        this.faultsUntilNanos = System.nanoTime() + window.toNanos();
    }

    boolean inFaultWindow() {
        return System.nanoTime() < faultsUntilNanos;
    }

    void failEverything(boolean value) {
        failEverything = value;
    }

    /** Total entries the proxy failed (per entry or with their whole request). */
    long failures() {
        return failedEntries.values().stream().mapToLong(Integer::longValue).sum()
                + failedRequests.values().stream().mapToLong(Integer::longValue).sum();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            Map<String, String> headers = new TreeMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
            String target = headers.getOrDefault("x-amz-target", "");
            if (!target.endsWith(".PutRecords")) {
                relay(exchange, forward(headers, body));
                return;
            }
            long n = putRecords.incrementAndGet();
            ObjectNode request = (ObjectNode) JSON.readTree(body);
            ArrayNode records = (ArrayNode) request.get("Records");
            List<String> ids = new ArrayList<>(records.size());
            for (JsonNode record : records) {
                String id = messageId(record.get("Data").asText());
                ids.add(id);
                sent.merge(id, 1, Integer::sum);
            }
            boolean faulty = inFaultWindow();
            if (failEverything || faulty && failEvery > 0 && n % failEvery == 0) {
                answered500.incrementAndGet();
                ids.forEach(id -> failedRequests.merge(id, 1, Integer::sum));
                respond(exchange, 500, JSON.createObjectNode().put("__type", "InternalFailure")
                        .put("message", "injected by FaultInjectingKinesis").toString());
                return;
            }
            String[] failure = new String[records.size()];
            if (faulty) {
                synchronized (random) {
                    for (int i = 0; i < failure.length; i++) {
                        if (random.nextDouble() < entryFailureRate) {
                            failure[i] = random.nextBoolean() ? "ProvisionedThroughputExceededException" : "InternalFailure";
                        }
                    }
                }
            }
            ArrayNode forward = JSON.createArrayNode();
            int failedCount = 0;
            for (int i = 0; i < failure.length; i++) {
                if (failure[i] == null) {
                    forward.add(records.get(i));
                } else {
                    failedCount++;
                }
            }
            JsonNode stored = JSON.createObjectNode().set("Records", JSON.createArrayNode());
            if (!forward.isEmpty()) {
                request.set("Records", forward);
                HttpResponse<byte[]> response = forward(headers, JSON.writeValueAsBytes(request));
                if (response.statusCode() != 200) {
                    relay(exchange, response); // kinesalite refused (a missing stream, say): pass it on
                    return;
                }
                stored = JSON.readTree(response.body());
            }
            ArrayNode results = JSON.createArrayNode();
            int next = 0;
            for (int i = 0; i < failure.length; i++) {
                String id = ids.get(i);
                if (failure[i] != null) {
                    failedEntries.merge(id, 1, Integer::sum);
                    (failure[i].startsWith("Provisioned") ? throttledEntries : internalFailureEntries).incrementAndGet();
                    results.addObject().put("ErrorCode", failure[i]).put("ErrorMessage",
                            failure[i].startsWith("Provisioned") ? "Rate exceeded for shard shardId-000000000000 in stream events"
                                    : "Internal service failure.");
                } else {
                    forwarded.merge(id, 1, Integer::sum);
                    results.add(stored.get("Records").get(next++));
                }
            }
            if (failedCount > 0) {
                requestsWithFailedEntries.incrementAndGet();
            }
            ObjectNode reply = JSON.createObjectNode();
            reply.put("FailedRecordCount", failedCount);
            reply.set("Records", results);
            respond(exchange, 200, reply.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exchange.sendResponseHeaders(500, -1);
        } catch (RuntimeException e) {
            respond(exchange, 500, JSON.createObjectNode().put("__type", "InternalFailure")
                    .put("message", "proxy error: " + e).toString());
        }
    }

    /** Data is Base64 on the wire; Sluice's default payload is itself Base64 text of the JSON. */
    static String messageId(String data) {
        try {
            byte[] payload = Base64.getDecoder().decode(data);
            JsonNode event = JSON.readTree(payload.length > 0 && payload[0] == '{' ? payload : Base64.getDecoder().decode(payload));
            JsonNode id = event.get("messageId");
            return id == null ? "(no messageId)" : id.asText();
        } catch (IOException | RuntimeException e) {
            return "(unreadable)";
        }
    }

    private HttpResponse<byte[]> forward(Map<String, String> headers, byte[] body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(upstream.resolve("/"))
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach((name, value) -> {
            if (!NOT_FORWARDED.contains(name)) {
                request.header(name, value);
            }
        });
        return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static void relay(HttpExchange exchange, HttpResponse<byte[]> response) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", response.headers().firstValue("content-type").orElse(AMZ_JSON));
        exchange.getResponseHeaders().set("x-amzn-RequestId", "fault-injecting-kinesis");
        byte[] bytes = response.body();
        exchange.sendResponseHeaders(response.statusCode(), bytes.length == 0 ? -1 : bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", AMZ_JSON);
        exchange.getResponseHeaders().set("x-amzn-RequestId", "fault-injecting-kinesis");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
