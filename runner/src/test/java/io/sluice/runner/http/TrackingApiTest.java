package io.sluice.runner.http;

import static io.sluice.runner.testing.TestSluice.basic;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.runner.testing.CapturedLogs;
import io.sluice.runner.testing.MemoryDestinationProvider;
import io.sluice.runner.testing.MemoryDestinationProvider.MemoryDestination;
import io.sluice.runner.testing.TestSluice;
import io.sluice.spi.event.Event;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP Tracking API against a server with one in-memory destination: every answer Segment's clients rely on. */
class TrackingApiTest {

    static final String KEY = "web-write-key-0123456789";
    static final String API_SECRET = "memory-api-secret-9f8e7d";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static TestSluice sluice;
    static MemoryDestination memory;
    static CapturedLogs logs;

    @BeforeAll
    static void start() throws Exception {
        logs = new CapturedLogs();
        sluice = TestSluice.start(dir, TestSluice.memorySource(KEY, "api-test", ", apiKey: " + API_SECRET));
        memory = MemoryDestinationProvider.instance("api-test");
    }

    @AfterAll
    static void stop() {
        sluice.close();
        logs.close();
    }

    static String track(String messageId) {
        return "{\"userId\":\"user_1\",\"event\":\"User Registered\",\"messageId\":\"" + messageId
                + "\",\"properties\":{\"plan\":\"Pro Annual\",\"account_type\":\"Facebook\"}}";
    }

    static JsonNode body(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    static Event awaitDelivered(String messageId) throws InterruptedException {
        TestSluice.await("delivery of " + messageId,
                () -> memory.delivered().stream().anyMatch(e -> e.messageId().equals(messageId)));
        return memory.delivered().stream().filter(e -> e.messageId().equals(messageId)).findFirst().orElseThrow();
    }

    static String id() {
        return UUID.randomUUID().toString();
    }

    @Test
    void trackWithBasicAuthIsAcceptedAndDelivered() throws Exception {
        String id = id();
        HttpResponse<String> response = sluice.post("/v1/track", track(id), basic(KEY));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"success\":true}");
        Event event = awaitDelivered(id);
        assertThat(event.userId()).contains("user_1");
        assertThat(event.eventName()).contains("User Registered");
    }

    @Test
    void everySingleCallEndpointTakesItsType() throws Exception {
        Map<String, String> calls = Map.of(
                "identify", "{\"userId\":\"u\",\"traits\":{\"plan\":\"x\"}",
                "page", "{\"userId\":\"u\",\"name\":\"Home\"",
                "screen", "{\"userId\":\"u\",\"name\":\"Home\"",
                "group", "{\"userId\":\"u\",\"groupId\":\"g\"",
                "alias", "{\"userId\":\"u\",\"previousId\":\"p\"");
        for (Map.Entry<String, String> call : calls.entrySet()) {
            String id = id();
            HttpResponse<String> response = sluice.post("/v1/" + call.getKey(),
                    call.getValue() + ",\"messageId\":\"" + id + "\"}", basic(KEY));
            assertThat(response.statusCode()).as(call.getKey()).isEqualTo(200);
            assertThat(awaitDelivered(id).type().wireName()).isEqualTo(call.getKey());
        }
    }

    @Test
    void noCredentialsIs401() throws Exception {
        HttpResponse<String> response = sluice.post("/v1/track", track(id()), Map.of());

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(body(response).get("success").asBoolean()).isFalse();
        assertThat(body(response).get("code").asText()).isEqualTo("unauthorized");
    }

    @Test
    void wrongWriteKeyIs401AndNotEchoed() throws Exception {
        String wrong = "not-the-key-4242";
        HttpResponse<String> response = sluice.post("/v1/track", track(id()), basic(wrong));

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).doesNotContain(wrong).doesNotContain(KEY);
    }

    @Test
    void basicAuthWithAPasswordIs401() throws Exception {
        HttpResponse<String> response = sluice.post("/v1/track", track(id()), basic(KEY, "password"));

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(body(response).get("message").asText()).contains("password must be empty");
    }

    @Test
    void nonBasicAuthorizationIs401() throws Exception {
        HttpResponse<String> response = sluice.post("/v1/track", track(id()), Map.of("Authorization", "Bearer " + KEY));

        assertThat(response.statusCode()).isEqualTo(401);
    }

    @Test
    void basicAuthWithoutColonIsAccepted() throws Exception {
        String token = java.util.Base64.getEncoder().encodeToString(KEY.getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> response = sluice.post("/v1/track", track(id()), Map.of("Authorization", "Basic " + token));

        assertThat(response.statusCode()).isEqualTo(200);
    }

    @Test
    void writeKeyInTheBodyAuthenticatesAndIsNotDelivered() throws Exception {
        String id = id();
        String call = track(id).replaceFirst("\\{", "{\"writeKey\":\"" + KEY + "\",");
        HttpResponse<String> response = sluice.post("/v1/track", call, Map.of());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(awaitDelivered(id).jsonText()).doesNotContain(KEY).doesNotContain("writeKey");
    }

    @Test
    void wrongWriteKeyInTheBodyIs401() throws Exception {
        String call = track(id()).replaceFirst("\\{", "{\"writeKey\":\"wrong-key\",");
        HttpResponse<String> response = sluice.post("/v1/track", call, Map.of());

        assertThat(response.statusCode()).isEqualTo(401);
    }

    @Test
    void invalidJsonIs400() throws Exception {
        HttpResponse<String> response = sluice.post("/v1/track", "{\"userId\":", basic(KEY));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(body(response).get("success").asBoolean()).isFalse();
        assertThat(body(response).get("code").asText()).isEqualTo("invalid_json");
    }

    @Test
    void singleCallOver32KbIs400() throws Exception {
        String big = "{\"userId\":\"u\",\"event\":\"e\",\"properties\":{\"pad\":\"" + "x".repeat(33 * 1024) + "\"}}";
        HttpResponse<String> response = sluice.post("/v1/track", big, basic(KEY));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(body(response).get("code").asText()).isEqualTo("event_too_large");
    }

    @Test
    void batchOver500KbIs400() throws Exception {
        StringBuilder batch = new StringBuilder("{\"batch\":[");
        String item = "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\",\"properties\":{\"pad\":\"" + "x".repeat(20_000) + "\"}}";
        for (int i = 0; i < 30; i++) {
            batch.append(i == 0 ? "" : ",").append(item);
        }
        batch.append("]}");
        HttpResponse<String> response = sluice.post("/v1/batch", batch.toString(), basic(KEY));

        assertThat(batch.length()).isGreaterThan(500 * 1024);
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(body(response).get("code").asText()).isEqualTo("batch_too_large");
    }

    @Test
    void chunkedBatchIsReadWhole() throws Exception {
        List<String> ids = List.of(id(), id(), id());
        String batch = "{\"batch\":[" + String.join(",", ids.stream().map(id -> track(id).replace("\"Pro Annual\"",
                "\"" + "p".repeat(20_000) + "\"").replaceFirst("\\{", "{\"type\":\"track\",")).toList()) + "]}";
        // A publisher of unknown length: HTTP/1.1 sends it chunked, so the size is learnt while reading.
        HttpResponse<String> response = sluice.post("/v1/batch", HttpRequest.BodyPublishers.ofInputStream(
                () -> new java.io.ByteArrayInputStream(batch.getBytes(StandardCharsets.UTF_8))), basic(KEY));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(body(response).has("rejected")).isFalse();
        for (String id : ids) {
            assertThat(JSON.readTree(awaitDelivered(id).jsonText()).at("/properties/plan").asText()).hasSize(20_000);
        }
    }

    @Test
    void chunkedBatchOver500KbIs400() throws Exception {
        String item = "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\",\"properties\":{\"pad\":\"" + "x".repeat(20_000) + "\"}}";
        String batch = "{\"batch\":[" + String.join(",", java.util.Collections.nCopies(30, item)) + "]}";
        HttpResponse<String> response = sluice.post("/v1/batch", HttpRequest.BodyPublishers.ofInputStream(
                () -> new java.io.ByteArrayInputStream(batch.getBytes(StandardCharsets.UTF_8))), basic(KEY));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(body(response).get("code").asText()).isEqualTo("batch_too_large");
    }

    @Test
    void bodyArrivingInPiecesIsReadWhole() throws Exception {
        String messageId = id();
        byte[] body = track(messageId).getBytes(StandardCharsets.UTF_8);
        String head = "POST /v1/track HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + basic(KEY).get("Authorization")
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", sluice.uri("/").getPort())) {
            var out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body, 0, 10);
            out.flush();
            Thread.sleep(300); // the server reads what came, then waits for the rest without holding a thread
            out.write(body, 10, body.length - 10);
            out.flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 200");
        }
        assertThat(awaitDelivered(messageId).jsonText()).contains("\"messageId\":\"" + messageId + "\"");
    }

    @Test
    void gzipBodyIsAccepted() throws Exception {
        String id = id();
        byte[] gz = TestSluice.gzip(track(id).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> response = sluice.post("/v1/track", HttpRequest.BodyPublishers.ofByteArray(gz),
                merge(basic(KEY), Map.of("Content-Encoding", "gzip")));

        assertThat(response.statusCode()).isEqualTo(200);
        awaitDelivered(id);
    }

    @Test
    void gzipBombIs400WithoutInflatingIt() throws Exception {
        // 64 MiB of one repeated call inflates from well under 500 KB of gzip.
        String item = "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"e\"},";
        byte[] bomb;
        var out = new java.io.ByteArrayOutputStream();
        try (var gz = new java.util.zip.GZIPOutputStream(out)) {
            gz.write("{\"batch\":[".getBytes(StandardCharsets.UTF_8));
            byte[] chunk = item.repeat(1000).getBytes(StandardCharsets.UTF_8);
            for (long written = 0; written < 64L * 1024 * 1024; written += chunk.length) {
                gz.write(chunk);
            }
        }
        bomb = out.toByteArray();
        assertThat(bomb.length).isLessThan(500 * 1024);

        HttpResponse<String> response = sluice.post("/v1/batch", HttpRequest.BodyPublishers.ofByteArray(bomb),
                merge(basic(KEY), Map.of("Content-Encoding", "gzip")));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(body(response).get("code").asText()).isEqualTo("batch_too_large");
    }

    @Test
    void bodyThatIsNotGzipIs400() throws Exception {
        HttpResponse<String> response = sluice.post("/v1/track", track(id()), merge(basic(KEY), Map.of("Content-Encoding", "gzip")));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(body(response).get("code").asText()).isEqualTo("invalid_gzip");
    }

    @Test
    void unsupportedContentEncodingIs415() throws Exception {
        HttpResponse<String> response = sluice.post("/v1/track", track(id()), merge(basic(KEY), Map.of("Content-Encoding", "br")));

        assertThat(response.statusCode()).isEqualTo(415);
    }

    @Test
    void invalidCallInABatchDoesNotFailTheValidOnesAndIsDeadLettered() throws Exception {
        String good = id();
        String bad = id();
        String batch = "{\"batch\":["
                + "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"Good\",\"messageId\":\"" + good + "\"},"
                + "{\"type\":\"track\",\"userId\":\"u\",\"messageId\":\"" + bad + "\"}"
                + "],\"writeKey\":\"" + KEY + "\"}";
        HttpResponse<String> response = sluice.post("/v1/batch", batch, Map.of());

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode answer = body(response);
        assertThat(answer.get("success").asBoolean()).isTrue();
        assertThat(answer.get("rejected").get(0).get("path").asText()).isEqualTo("$.batch[1]");
        assertThat(answer.get("rejected").get(0).get("code").asText()).isEqualTo("missing_event");
        awaitDelivered(good);
        assertThat(memory.delivered()).noneMatch(e -> e.messageId().equals(bad));

        TestSluice.await("the dead-letter line", () -> lines().stream().anyMatch(l -> l.contains(bad)));
        JsonNode line = JSON.readTree(lines().stream().filter(l -> l.contains(bad)).findFirst().orElseThrow());
        assertThat(line.get("source").asText()).isEqualTo("web");
        assertThat(line.get("destination").isNull()).isTrue();
        assertThat(line.get("errors").get(0).get("code").asText()).isEqualTo("missing_event");
        assertThat(line.get("call").get("messageId").asText()).isEqualTo(bad);
        assertThat(line.toString()).doesNotContain(KEY);

        String metrics = sluice.get("/metrics").body();
        assertThat(metrics).contains("sluice_events_rejected_total{code=\"missing_event\",source=\"web\"}");
    }

    @Test
    void aWrongKeyIs401WhateverElseIsWrong() throws Exception {
        HttpResponse<String> response = sluice.post("/v1/track", "<track/>",
                Map.of("Authorization", basic("wrong").get("Authorization"), "Content-Type", "text/xml"));

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(body(response).get("code").asText()).isEqualTo("unauthorized");
    }

    @Test
    void singleInvalidCallIs400WithCodeAndPath() throws Exception {
        HttpResponse<String> response = sluice.post("/v1/track", "{\"userId\":\"u\"}", basic(KEY));

        assertThat(response.statusCode()).isEqualTo(400);
        JsonNode answer = body(response);
        assertThat(answer.get("success").asBoolean()).isFalse();
        assertThat(answer.get("code").asText()).isEqualTo("missing_event");
        assertThat(answer.get("message").asText()).contains("event");
        assertThat(answer.get("errors").get(0).get("path").asText()).startsWith("$");
    }

    @Test
    void wrongContentTypeIs415() throws Exception {
        HttpResponse<String> response = sluice.post("/v1/track", track(id()),
                merge(basic(KEY), Map.of("Content-Type", "application/x-www-form-urlencoded")));

        assertThat(response.statusCode()).isEqualTo(415);
        assertThat(body(response).get("code").asText()).isEqualTo("unsupported_media_type");
    }

    @Test
    void textPlainIsAcceptedAsAnalyticsJsSendsIt() throws Exception {
        String id = id();
        HttpResponse<String> response = sluice.post("/v1/track", track(id),
                merge(basic(KEY), Map.of("Content-Type", "text/plain;charset=UTF-8")));

        assertThat(response.statusCode()).isEqualTo(200);
        awaitDelivered(id);
    }

    @Test
    void importIsAnAliasOfBatch() throws Exception {
        String id = id();
        HttpResponse<String> response = sluice.post("/v1/import",
                "{\"batch\":[{\"type\":\"identify\",\"userId\":\"u\",\"messageId\":\"" + id + "\"}]}", basic(KEY));

        assertThat(response.statusCode()).isEqualTo(200);
        awaitDelivered(id);
    }

    @Test
    void trailingSlashIsAccepted() throws Exception {
        String id = id();
        HttpResponse<String> response = sluice.post("/v1/track/", track(id), basic(KEY));

        assertThat(response.statusCode()).isEqualTo(200);
        awaitDelivered(id);
    }

    @Test
    void unknownPathIs404AndGetOnTheApiIs405() throws Exception {
        assertThat(sluice.post("/v1/nothing", "{}", basic(KEY)).statusCode()).isEqualTo(404);
        HttpResponse<String> get = sluice.get("/v1/track");
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.headers().firstValue("Allow")).contains("POST");
    }

    @Test
    void integrationsObjectChoosesTheDestinations() throws Exception {
        String off = id();
        String on = id();
        sluice.post("/v1/track", "{\"userId\":\"u\",\"event\":\"e\",\"messageId\":\"" + off
                + "\",\"integrations\":{\"All\":false}}", basic(KEY));
        sluice.post("/v1/track", "{\"userId\":\"u\",\"event\":\"e\",\"messageId\":\"" + on
                + "\",\"integrations\":{\"All\":false,\"Memory\":true}}", basic(KEY));

        awaitDelivered(on);
        assertThat(memory.delivered()).noneMatch(e -> e.messageId().equals(off));
    }

    @Test
    void healthListsDestinations() throws Exception {
        HttpResponse<String> response = sluice.get("/health");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode health = body(response);
        assertThat(health.get("status").asText()).isEqualTo("ok");
        JsonNode destination = health.get("destinations").get(0);
        assertThat(destination.get("source").asText()).isEqualTo("web");
        assertThat(destination.get("name").asText()).isEqualTo("web/memory");
        assertThat(destination.get("type").asText()).isEqualTo("memory");
        assertThat(destination.get("status").asText()).isEqualTo("healthy");
        assertThat(destination.has("bufferedEvents")).isTrue();
    }

    @Test
    void metricsHaveTheCountersAndHistogram() throws Exception {
        String id = id();
        sluice.post("/v1/track", track(id), basic(KEY));
        awaitDelivered(id);
        TestSluice.await("the delivered counter", () -> scrape().contains("sluice_events_delivered_total{destination=\"web/memory\"}"));

        String metrics = scrape();
        assertThat(metrics)
                .contains("sluice_events_accepted_total{source=\"web\"}")
                .contains("sluice_events_delivered_total{destination=\"web/memory\"}")
                .contains("sluice_events_retried_total{destination=\"web/memory\"}")
                .contains("sluice_events_failed_total{destination=\"web/memory\"}")
                .contains("sluice_delivery_latency_seconds_bucket{destination=\"web/memory\"")
                .contains("sluice_destination_buffered_bytes{destination=\"web/memory\"}")
                .contains("sluice_http_requests_total{endpoint=\"track\",status=\"200\"}");
    }

    @Test
    void noSecretInHealthMetricsErrorsOrLogs() throws Exception {
        List<String> seen = new ArrayList<>();
        seen.add(sluice.post("/v1/track", track(id()), basic("wrong")).body());
        seen.add(sluice.post("/v1/track", "{\"userId\":\"u\"}", basic(KEY)).body());
        seen.add(sluice.post("/v1/batch", "{\"writeKey\":\"" + KEY + "\",\"batch\":[{\"type\":\"track\",\"userId\":\"u\"}]}",
                Map.of()).body());
        seen.add(sluice.post("/v1/track", "not json", basic(KEY)).body());
        seen.add(sluice.get("/health").body());
        seen.add(scrape());
        seen.addAll(lines());
        seen.addAll(logs.lines());
        seen.add(sluice.server().pipeline().sources().toString());

        assertThat(logs.lines()).isNotEmpty();
        assertThat(seen).allSatisfy(text -> assertThat(text).doesNotContain(KEY).doesNotContain(API_SECRET));
    }

    private static String scrape() {
        try {
            return sluice.get("/metrics").body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> lines() {
        try {
            return sluice.deadLetterLines();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Map<String, String> merge(Map<String, String> a, Map<String, String> b) {
        Map<String, String> m = new java.util.HashMap<>(a);
        m.putAll(b);
        return m;
    }
}
