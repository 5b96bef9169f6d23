package io.sluice.runner.libraries;

import static io.sluice.runner.testing.TestSluice.basic;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.runner.testing.MemoryDestinationProvider;
import io.sluice.runner.testing.MemoryDestinationProvider.MemoryDestination;
import io.sluice.runner.testing.TestSluice;
import io.sluice.spi.event.Event;
import java.io.ByteArrayInputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What each family of Segment libraries puts on the wire, sent by hand (the library tests beside
 * this one send it for real): analytics.js's letter paths, {@code /v1/b} and {@code /v1/m}; the
 * mobile libraries' chunked gzip; analytics-java's {@code /v1/import/}; analytics-go's and
 * analytics-ruby's Basic-only batches with batch-level {@code context} and {@code sentAt}.
 */
class SegmentWireFormatsTest {

    static final String KEY = "wire-write-key-4711";
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir
    static Path dir;
    static TestSluice sluice;
    static MemoryDestination memory;

    @BeforeAll
    static void start() throws Exception {
        sluice = TestSluice.start(dir, TestSluice.memorySource(KEY, "wire-test", ""));
        memory = MemoryDestinationProvider.instance("wire-test");
    }

    @AfterAll
    static void stop() {
        sluice.close();
    }

    static String id() {
        return UUID.randomUUID().toString();
    }

    static Event awaitDelivered(String messageId) throws InterruptedException {
        TestSluice.await("delivery of " + messageId,
                () -> memory.delivered().stream().anyMatch(e -> e.messageId().equals(messageId)));
        return memory.delivered().stream().filter(e -> e.messageId().equals(messageId)).findFirst().orElseThrow();
    }

    static JsonNode json(Event event) throws Exception {
        return JSON.readTree(event.jsonText());
    }

    static Map<String, String> textPlain(Map<String, String> headers) {
        Map<String, String> all = new HashMap<>(headers);
        all.put("Content-Type", "text/plain");
        return all;
    }

    @Test
    void analyticsJsLetterPathsTakeTheTypeTheyName() throws Exception {
        Map<String, String> letters = Map.of("i", "identify", "t", "track", "p", "page", "s", "screen", "g", "group",
                "a", "alias");
        for (Map.Entry<String, String> letter : letters.entrySet()) {
            String id = id();
            // As analytics.js 1.84 sends it: text/plain, Basic and writeKey in the body, sentAt and _metadata.
            String body = "{\"userId\":\"u1\",\"event\":\"E\",\"groupId\":\"g1\",\"previousId\":\"p1\",\"messageId\":\""
                    + id + "\",\"writeKey\":\"" + KEY + "\",\"sentAt\":\"" + Instant.now() + "\",\"_metadata\":{\"bundled\":[]}}";
            HttpResponse<String> response = sluice.post("/v1/" + letter.getKey(), body, textPlain(basic(KEY)));

            assertThat(response.statusCode()).as(letter.getKey()).isEqualTo(200);
            assertThat(response.body()).isEqualTo("{\"success\":true}");
            Event event = awaitDelivered(id);
            assertThat(event.type().wireName()).isEqualTo(letter.getValue());
            assertThat(event.jsonText()).doesNotContain(KEY);
        }
        String id = id();
        assertThat(sluice.post("/v1/t/", "{\"userId\":\"u\",\"event\":\"E\",\"messageId\":\"" + id + "\"}",
                textPlain(basic(KEY))).statusCode()).isEqualTo(200);
        assertThat(awaitDelivered(id).type().wireName()).isEqualTo("track");
    }

    @Test
    void slashBIsABatchWithTheKeyInTheBodyOnly() throws Exception {
        String a = id();
        String b = id();
        String body = "{\"writeKey\":\"" + KEY + "\",\"sentAt\":\"" + Instant.now() + "\",\"batch\":["
                + "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"messageId\":\"" + a + "\"},"
                + "{\"type\":\"page\",\"anonymousId\":\"anon\",\"name\":\"Home\",\"messageId\":\"" + b + "\"}]}";

        HttpResponse<String> response = sluice.post("/v1/b", body, Map.of("Content-Type", "text/plain"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(awaitDelivered(a).type().wireName()).isEqualTo("track");
        assertThat(awaitDelivered(b).jsonText()).doesNotContain(KEY);
    }

    @Test
    void clientMetricsAreAnsweredAndNeverBecomeEvents() throws Exception {
        int before = memory.delivered().size();
        String metrics = "{\"series\":[{\"type\":\"Counter\",\"metric\":\"analytics_js.invoke.track\",\"value\":1,"
                + "\"tags\":{\"library\":\"analytics.js\"}}]}";

        HttpResponse<String> response = sluice.post("/v1/m", metrics, Map.of("Content-Type", "text/plain"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"success\":true}");
        String marker = id();
        sluice.post("/v1/track", "{\"userId\":\"u\",\"event\":\"E\",\"messageId\":\"" + marker + "\"}", basic(KEY));
        awaitDelivered(marker);
        assertThat(memory.delivered()).hasSize(before + 1);
        assertThat(sluice.post("/v1/m/", metrics, Map.of()).statusCode()).isEqualTo(200);
    }

    @Test
    void importWithATrailingSlashAndTheKeyInTheBodyLikeAnalyticsJava() throws Exception {
        String id = id();
        String body = "{\"batch\":[{\"type\":\"identify\",\"userId\":\"u\",\"traits\":{\"plan\":\"x\"},\"messageId\":\""
                + id + "\",\"timestamp\":\"" + Instant.now() + "\"}],\"sentAt\":\"" + Instant.now() + "\","
                + "\"context\":{\"library\":{\"name\":\"analytics-java\",\"version\":\"3.5.4\"},\"instanceId\":\"i-1\"},"
                + "\"sequence\":0,\"writeKey\":\"" + KEY + "\"}";

        HttpResponse<String> response = sluice.post("/v1/import/", body,
                Map.of("Content-Type", "application/json; charset=UTF-8"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"success\":true}"); // analytics-java parses it as UploadResponse
        JsonNode event = json(awaitDelivered(id));
        assertThat(event.path("context").path("instanceId").asText()).isEqualTo("i-1");
        assertThat(event.path("context").path("library").path("name").asText()).isEqualTo("analytics-java");
    }

    @Test
    void chunkedGzipTextPlainWithTheKeyInTheBodyLikeAnalyticsKotlin() throws Exception {
        String id = id();
        byte[] body = TestSluice.gzip(("{\"batch\":[{\"type\":\"screen\",\"anonymousId\":\"a\",\"name\":\"Home\",\"messageId\":\""
                + id + "\"}],\"sentAt\":\"" + Instant.now() + "\",\"writeKey\":\"" + KEY + "\"}").getBytes(StandardCharsets.UTF_8));
        // A stream of unknown length goes out with Transfer-Encoding: chunked and no Content-Length.
        HttpRequest request = HttpRequest.newBuilder(sluice.uri("/v1/b"))
                .version(HttpClient.Version.HTTP_1_1)
                .header("Content-Type", "text/plain")
                .header("Content-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
                .build();
        assertThat(request.bodyPublisher().orElseThrow().contentLength()).isNegative();

        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(awaitDelivered(id).type().wireName()).isEqualTo("screen");
    }

    @Test
    void chunkedBodiesAreStillHeldToTheSizeLimit() throws Exception {
        byte[] big = ("{\"batch\":[],\"pad\":\"" + "x".repeat(600_000) + "\"}").getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(sluice.uri("/v1/b"))
                .version(HttpClient.Version.HTTP_1_1)
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)))
                .build();

        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).path("code").asText()).isEqualTo("batch_too_large");
    }

    @Test
    void basicOnlyBatchWithBatchContextAndSentAtLikeAnalyticsGoIsCorrectedForClockSkew() throws Exception {
        String id = id();
        // The client's clock is an hour fast: its timestamp and sentAt are both off, 2.5 s apart.
        Instant clientNow = Instant.now().plus(Duration.ofHours(1));
        Instant timestamp = clientNow.minusMillis(2500);
        String body = "{\"messageId\":\"batch-1\",\"sentAt\":\"" + clientNow + "\",\"batch\":[{\"type\":\"track\","
                + "\"userId\":\"u\",\"event\":\"Go\",\"messageId\":\"" + id + "\",\"timestamp\":\"" + timestamp + "\"}],"
                + "\"context\":{\"library\":{\"name\":\"analytics-go\",\"version\":\"3.3.0\"}}}";

        HttpResponse<String> response = sluice.post("/v1/batch", body, basic(KEY));

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode event = json(awaitDelivered(id));
        assertThat(event.path("context").path("library").path("name").asText()).isEqualTo("analytics-go");
        Instant receivedAt = Instant.parse(event.path("receivedAt").asText());
        assertThat(Instant.parse(event.path("timestamp").asText())).isEqualTo(receivedAt.minusMillis(2500));
        assertThat(Instant.parse(event.path("originalTimestamp").asText())).isEqualTo(timestamp);
    }

    @Test
    void rubyStyleImportWithBasicOnlyAndSentAt() throws Exception {
        String id = id();
        String body = "{\"sentAt\":\"" + Instant.now() + "\",\"batch\":[{\"type\":\"group\",\"userId\":\"u\","
                + "\"groupId\":\"g\",\"messageId\":\"" + id + "\",\"context\":{\"library\":{\"name\":\"analytics-ruby\"}}}]}";

        HttpResponse<String> response = sluice.post("/v1/import", body,
                Map.of("Content-Type", "application/json", "Accept", "application/json", "Authorization",
                        basic(KEY).get("Authorization")));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(awaitDelivered(id).groupId()).contains("g");
    }

    @Test
    void otherMethodsOnTheNewPathsAre405() throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(sluice.uri("/v1/t")).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("Allow")).contains("POST");
    }
}
