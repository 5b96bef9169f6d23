package io.sluice.kinesis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A Kinesis endpoint on 127.0.0.1 that forwards to kinesalite and injects faults on the way: per-record
 * errors in a PutRecords reply (those entries are not forwarded, so they are stored only if resent),
 * and whole-request errors. It records every request it sees. It also answers STS AssumeRole.
 */
final class FaultyKinesis implements AutoCloseable {

    /** One request as the proxy saw it. */
    record Seen(String target, Map<String, String> headers, String body) {
        JsonNode json() {
            return TestEvents.read(body.getBytes(StandardCharsets.UTF_8));
        }

        /** The PutRecords entries, as {@code PartitionKey + " " + Data} (Data is Base64 on the wire). */
        List<String> entries() {
            List<String> entries = new ArrayList<>();
            json().get("Records").forEach(r -> entries.add(r.get("PartitionKey").asText() + " " + r.get("Data").asText()));
            return entries;
        }
    }

    /** A whole-request error to answer instead of forwarding. */
    record Failure(int status, String type, String message) {}

    /** Credentials to hand out for AssumeRole. */
    record AssumedRole(String accessKeyId, String secretAccessKey, String sessionToken) {}

    private static final Set<String> NOT_FORWARDED =
            Set.of("host", "content-length", "connection", "expect", "upgrade", "transfer-encoding");

    private final URI upstream;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final List<Seen> seen = new ArrayList<>();
    private final Deque<Failure> requestFailures = new ArrayDeque<>();
    private final Deque<Map<Integer, String>> recordFailures = new ArrayDeque<>();
    private final Deque<Duration> delays = new ArrayDeque<>();
    private final Map<String, String> failingEvents = new java.util.HashMap<>();
    private AssumedRole assumedRole;

    private FaultyKinesis(URI upstream) throws IOException {
        this.upstream = upstream;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    static FaultyKinesis inFrontOf(URI upstream) {
        try {
            return new FaultyKinesis(upstream);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** The next {@code count} requests get this answer instead of reaching kinesalite. */
    synchronized FaultyKinesis failRequests(int count, int status, String type, String message) {
        for (int i = 0; i < count; i++) {
            requestFailures.add(new Failure(status, type, message));
        }
        return this;
    }

    /** The next {@code count} requests are answered only after {@code delay}. */
    synchronized FaultyKinesis delayRequests(int count, Duration delay) {
        for (int i = 0; i < count; i++) {
            delays.add(delay);
        }
        return this;
    }

    /** The entries carrying these events (by messageId, in either payload encoding) fail with {@code errorCode}, once. */
    synchronized FaultyKinesis failRecordsOf(Set<String> messageIds, String errorCode) {
        messageIds.forEach(id -> failingEvents.put(id, errorCode));
        return this;
    }

    /** In the next PutRecords, the entries at these indexes fail with these error codes. */
    synchronized FaultyKinesis failRecords(Map<Integer, String> errorCodeByIndex) {
        recordFailures.add(new TreeMap<>(errorCodeByIndex));
        return this;
    }

    synchronized FaultyKinesis answerAssumeRole(AssumedRole role) {
        this.assumedRole = role;
        return this;
    }

    /** Every request so far, in arrival order. */
    synchronized List<Seen> seen() {
        return List.copyOf(seen);
    }

    synchronized List<Seen> seen(String operation) {
        return seen.stream().filter(s -> s.target().equals(operation)).toList();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Map<String, String> headers = new TreeMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), String.join(",", v)));
            String target = headers.getOrDefault("x-amz-target", "");
            String operation = target.isEmpty() ? sts(body) : target.substring(target.indexOf('.') + 1);
            Failure failure;
            Map<Integer, String> failRecords;
            AssumedRole role;
            Duration delay;
            synchronized (this) {
                seen.add(new Seen(operation, headers, body));
                delay = delays.poll();
                failure = requestFailures.poll();
                failRecords = operation.equals("PutRecords") ? recordFailures.poll() : null;
                if (failRecords == null && operation.equals("PutRecords") && !failingEvents.isEmpty()) {
                    failRecords = failuresOf(body);
                }
                role = assumedRole;
            }
            if (delay != null) {
                Thread.sleep(delay.toMillis());
            }
            if (operation.equals("AssumeRole") && role != null) {
                respond(exchange, 200, "text/xml", assumeRoleResponse(role));
            } else if (failure != null) {
                ObjectNode error = TestEvents.JSON.createObjectNode()
                        .put("__type", failure.type()).put("message", failure.message());
                respond(exchange, failure.status(), "application/x-amz-json-1.1", error.toString());
            } else if (failRecords != null) {
                respond(exchange, 200, "application/x-amz-json-1.1", putRecordsWithFailures(headers, body, failRecords));
            } else {
                HttpResponse<String> response = forward(headers, body);
                respond(exchange, response.statusCode(),
                        response.headers().firstValue("content-type").orElse("application/x-amz-json-1.1"),
                        response.body());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exchange.sendResponseHeaders(500, -1);
        }
    }

    /** The entries of a PutRecords body that carry a failing event, each failing once; null for none. */
    private Map<Integer, String> failuresOf(String body) {
        Map<Integer, String> failures = new TreeMap<>();
        JsonNode records = TestEvents.read(body.getBytes(StandardCharsets.UTF_8)).get("Records");
        for (int i = 0; i < records.size(); i++) {
            byte[] data = java.util.Base64.getDecoder().decode(records.get(i).get("Data").asText());
            String text = new String(data, StandardCharsets.UTF_8);
            if (!text.startsWith("{")) {
                text = new String(java.util.Base64.getMimeDecoder().decode(text), StandardCharsets.UTF_8);
            }
            String messageId = TestEvents.read(text.getBytes(StandardCharsets.UTF_8)).path("messageId").asText();
            String code = failingEvents.remove(messageId);
            if (code != null) {
                failures.put(i, code);
            }
        }
        return failures.isEmpty() ? null : failures;
    }

    /**
     * Forwards only the entries that do not fail, then answers for all of them in request order,
     * so a failed entry is stored only if the client sends it again.
     */
    private String putRecordsWithFailures(Map<String, String> headers, String body, Map<Integer, String> failures)
            throws IOException, InterruptedException {
        ObjectNode request = (ObjectNode) TestEvents.JSON.readTree(body);
        ArrayNode all = (ArrayNode) request.get("Records");
        ArrayNode forwarded = TestEvents.JSON.createArrayNode();
        for (int i = 0; i < all.size(); i++) {
            if (!failures.containsKey(i)) {
                forwarded.add(all.get(i));
            }
        }
        JsonNode stored = TestEvents.JSON.createObjectNode().set("Records", TestEvents.JSON.createArrayNode());
        if (!forwarded.isEmpty()) {
            request.set("Records", forwarded);
            HttpResponse<String> response = forward(headers, request.toString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("kinesalite answered " + response.statusCode() + ": " + response.body());
            }
            stored = TestEvents.JSON.readTree(response.body());
        }
        ArrayNode results = TestEvents.JSON.createArrayNode();
        int next = 0;
        for (int i = 0; i < all.size(); i++) {
            if (failures.containsKey(i)) {
                results.addObject().put("ErrorCode", failures.get(i)).put("ErrorMessage", "injected by FaultyKinesis");
            } else {
                results.add(stored.get("Records").get(next++));
            }
        }
        ObjectNode reply = TestEvents.JSON.createObjectNode();
        reply.put("FailedRecordCount", failures.size());
        reply.set("Records", results);
        return reply.toString();
    }

    private HttpResponse<String> forward(Map<String, String> headers, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(upstream.resolve("/"))
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach((name, value) -> {
            if (!NOT_FORWARDED.contains(name)) {
                request.header(name, value);
            }
        });
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("x-amzn-RequestId", "faulty-kinesis");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static String sts(String body) {
        return body.contains("Action=AssumeRole") ? "AssumeRole" : "";
    }

    private static String assumeRoleResponse(AssumedRole role) {
        return """
                <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
                  <AssumeRoleResult>
                    <Credentials>
                      <AccessKeyId>%s</AccessKeyId>
                      <SecretAccessKey>%s</SecretAccessKey>
                      <SessionToken>%s</SessionToken>
                      <Expiration>2099-01-01T00:00:00Z</Expiration>
                    </Credentials>
                    <AssumedRoleUser>
                      <AssumedRoleId>AROAEXAMPLE:sluice</AssumedRoleId>
                      <Arn>arn:aws:sts::123456789012:assumed-role/sluice-writer/sluice</Arn>
                    </AssumedRoleUser>
                  </AssumeRoleResult>
                  <ResponseMetadata><RequestId>faulty-kinesis</RequestId></ResponseMetadata>
                </AssumeRoleResponse>
                """.formatted(role.accessKeyId(), role.secretAccessKey(), role.sessionToken());
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
