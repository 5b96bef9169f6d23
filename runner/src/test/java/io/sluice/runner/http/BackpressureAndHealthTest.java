package io.sluice.runner.http;

import static io.sluice.runner.testing.TestSluice.basic;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.runner.testing.TestSluice;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Admission control, health, and graceful shutdown: the answers that depend on a destination's state. */
class BackpressureAndHealthTest {

    static final String KEY = "key-for-backpressure";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    static String call(int i) {
        return "{\"userId\":\"u\",\"event\":\"e\",\"messageId\":\"m-" + i + "\",\"properties\":{\"pad\":\"" + "x".repeat(200) + "\"}}";
    }

    /**
     * With the spool, a destination that never answers holds only its memory window; the rest of its
     * backlog waits on disk and requests keep being answered 200. Health and metrics show the backlog.
     */
    @Test
    void aHungDestinationKeepsItsBacklogOnDiskWhileRequestsAre200() throws Exception {
        String yaml = TestSluice.memorySource(KEY, "bp-disk", ", mode: hang")
                + "delivery: {maxBufferedBytes: 700, lingerMs: 0}\n";
        try (TestSluice sluice = TestSluice.start(dir, yaml)) {
            for (int i = 0; i < 50; i++) {
                assertThat(sluice.post("/v1/track", call(i), basic(KEY)).statusCode()).as("request " + i).isEqualTo(200);
            }
            var route = sluice.server().pipeline().routes().get(0);
            assertThat(route.backlog().events()).isEqualTo(50);
            assertThat(route.bufferedEvents()).as("the memory window, not the backlog").isBetween(1L, 4L);
            JsonNode health = JSON.readTree(sluice.get("/health").body()).get("destinations").get(0);
            assertThat(health.get("backlogEvents").asLong()).isEqualTo(50);
            assertThat(health.get("backlogBytes").asLong()).isEqualTo(route.backlog().bytes()).isPositive();
            assertThat(health.get("oldestEventAgeSeconds").asLong()).isNotNegative();
            String metrics = sluice.get("/metrics").body();
            assertThat(metrics).contains("sluice_destination_backlog_events{destination=\"web/memory\"} 50.0")
                    .contains("sluice_destination_backlog_bytes{destination=\"web/memory\"} " + route.backlog().bytes() + ".0")
                    .contains("sluice_destination_oldest_event_age_seconds{destination=\"web/memory\"}")
                    .contains("sluice_spool_bytes " + route.backlog().bytes() + ".0");
        }
    }

    /** Without a spool, memory is the only room: a full buffer is 429 with Retry-After, and nothing is taken. */
    @Test
    void withoutASpoolAFullBufferIs429WithRetryAfterAndTakesNothing() throws Exception {
        // A destination that never answers, and room for about two events.
        String yaml = "spool: {enabled: false}\n" + TestSluice.memorySource(KEY, "bp-hang", ", mode: hang")
                + "delivery: {maxBufferedBytes: 700, lingerMs: 0}\n";
        try (TestSluice sluice = TestSluice.start(dir, yaml)) {
            HttpResponse<String> response = null;
            int accepted = 0;
            for (int i = 0; i < 20; i++) {
                response = sluice.post("/v1/track", call(i), basic(KEY));
                if (response.statusCode() != 200) {
                    break;
                }
                accepted++;
            }

            assertThat(response.statusCode()).isEqualTo(429);
            assertThat(response.headers().firstValue("Retry-After")).contains("1");
            JsonNode body = JSON.readTree(response.body());
            assertThat(body.get("success").asBoolean()).isFalse();
            assertThat(body.get("code").asText()).isEqualTo("buffer_full");
            assertThat(accepted).isBetween(1, 10);
            long buffered = sluice.server().pipeline().routes().get(0).bufferedEvents();
            assertThat(buffered).isEqualTo(accepted);
        }
    }

    @Test
    void healthIs503WhenADestinationIsUnhealthy() throws Exception {
        try (TestSluice sluice = TestSluice.start(dir, TestSluice.memorySource(KEY, "unhealthy", ", healthy: false"))) {
            HttpResponse<String> response = sluice.get("/health");

            assertThat(response.statusCode()).isEqualTo(503);
            JsonNode health = JSON.readTree(response.body());
            assertThat(health.get("status").asText()).isEqualTo("degraded");
            assertThat(health.get("destinations").get(0).get("status").asText()).isEqualTo("unhealthy");
            assertThat(health.get("destinations").get(0).get("message").asText()).contains("switched off");
            assertThat(sluice.get("/metrics").body()).contains("sluice_destination_healthy{destination=\"web/memory\"} 0");
        }
    }

    @Test
    void healthIs503WhileDeliveriesFailThoughTheDestinationSaysItIsHealthy() throws Exception {
        try (TestSluice sluice = TestSluice.start(dir, TestSluice.memorySource(KEY, "refusing", ", mode: reject"))) {
            assertThat(sluice.get("/health").statusCode()).isEqualTo(200);
            assertThat(sluice.post("/v1/track", call(8), basic(KEY)).statusCode()).isEqualTo(200);

            TestSluice.await("health degraded", () -> get(sluice, "/health").contains("degraded"));
            JsonNode destination = JSON.readTree(sluice.get("/health").body()).get("destinations").get(0);
            assertThat(destination.get("status").asText()).isEqualTo("unhealthy");
            assertThat(destination.get("message").asText()).startsWith("deliveries failing for ").endsWith(": memory refuses m-8");
            // A load balancer asks /ready: the node still takes events, so it stays in rotation.
            HttpResponse<String> ready = sluice.get("/ready");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(ready.body()).get("status").asText()).isEqualTo("ready");
        }
    }

    @Test
    void shutdownAnswers503WhileDrainingAndDeadLettersWhatIsLeftWithoutASpool() throws Exception {
        String yaml = "server: {host: 127.0.0.1, port: 0, shutdownTimeoutMs: 3000}\nspool: {enabled: false}\n"
                + TestSluice.memorySource(KEY, "drain-hang", ", mode: hang");
        TestSluice sluice = TestSluice.start(dir, yaml);
        assertThat(sluice.post("/v1/track", call(1), basic(KEY)).statusCode()).isEqualTo(200);

        CompletableFuture<Void> shutdown = CompletableFuture.runAsync(sluice::close);
        TestSluice.await("shutting down", () -> get(sluice, "/health").contains("shutting_down"));
        assertThat(sluice.get("/ready").statusCode()).isEqualTo(503);
        HttpResponse<String> during = sluice.post("/v1/track", call(2), basic(KEY));
        shutdown.get();

        assertThat(during.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(during.body()).get("code").asText()).isEqualTo("shutting_down");
        assertThat(sluice.deadLetterLines()).singleElement().satisfies(line -> {
            JsonNode l = JSON.readTree(line);
            assertThat(l.get("reason").asText()).isEqualTo("shutdown before delivery");
            assertThat(l.get("destination").asText()).isEqualTo("web/memory");
            assertThat(l.get("call").get("messageId").asText()).isEqualTo("m-1");
        });
    }

    @Test
    void eventsADestinationRejectsGoToTheDeadLetterFile() throws Exception {
        try (TestSluice sluice = TestSluice.start(dir, TestSluice.memorySource(KEY, "rejecting", ", mode: reject"))) {
            assertThat(sluice.post("/v1/track", call(7), basic(KEY)).statusCode()).isEqualTo(200);

            TestSluice.await("the dead-letter line", () -> !lines(sluice).isEmpty());
            JsonNode line = JSON.readTree(lines(sluice).get(0));
            assertThat(line.get("reason").asText()).isEqualTo("memory refuses m-7");
            assertThat(line.get("destination").asText()).isEqualTo("web/memory");
            assertThat(line.get("source").asText()).isEqualTo("web");
            TestSluice.await("the failed counter",
                    () -> get(sluice, "/metrics").contains("sluice_events_failed_total{destination=\"web/memory\"} 1.0"));
        }
    }

    private static java.util.List<String> lines(TestSluice sluice) {
        try {
            return sluice.deadLetterLines();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String get(TestSluice sluice, String path) {
        try {
            return sluice.get(path).body();
        } catch (Exception e) {
            return "";
        }
    }
}
