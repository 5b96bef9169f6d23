package io.sluice.runner.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.bench.BenchPayloads;
import io.sluice.core.spec.SpecJson;
import io.sluice.runner.server.SluiceServer;
import io.sluice.runner.testing.MemoryDestinationProvider;
import io.sluice.runner.testing.TestSluice;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps the ingest benchmark honest: each baseline reads the whole body and answers 200, and
 * Sluice delivers every call of the benchmark's body (wrk itself is not needed here).
 */
class IngestBenchmarkTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void everyContenderReadsTheWholeBodyAndSluiceDeliversEveryCall() throws Exception {
        byte[] body = BenchPayloads.batches(1, IngestBenchmark.EVENTS_PER_REQUEST, 11).get(0);
        for (IngestBenchmark.Baseline baseline : List.of(IngestBenchmark.helloWorld(), IngestBenchmark.transportFloor(),
                IngestBenchmark.jsonFloor())) {
            try {
                assertThat(post(baseline.url(), body).statusCode()).isEqualTo(200);
                assertThat(baseline.bodyBytes().get()).isEqualTo(body.length);
            } finally {
                baseline.server().stop();
            }
        }
        try (SluiceServer sluice = IngestBenchmark.sluice(dir.resolve("spool.db"), "always", "discard", "ingest-check", 16L << 20)) {
            HttpResponse<String> answer = post(sluice.baseUrl(), body);
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(answer.body()).doesNotContain("rejected");
            // The Spec's identify example says "All": false, so those calls go to no destination.
            long routed = 0;
            for (JsonNode call : SpecJson.MAPPER.readTree(body).get("batch")) {
                routed += call.at("/integrations/All").asBoolean(true) ? 1 : 0;
            }
            assertThat(routed).isBetween(1L, (long) IngestBenchmark.EVENTS_PER_REQUEST - 1);
            long expected = routed;
            MemoryDestinationProvider.MemoryDestination destination = MemoryDestinationProvider.instance("ingest-check");
            TestSluice.await("every routed call discarded", () -> destination.discarded() == expected);
        }
    }

    private static HttpResponse<String> post(String url, byte[] body) throws Exception {
        String auth = Base64.getEncoder().encodeToString((IngestBenchmark.KEY + ":").getBytes(StandardCharsets.UTF_8));
        return HTTP.send(HttpRequest.newBuilder(URI.create(url + "/v1/batch"))
                .header("Content-Type", "application/json").header("Authorization", "Basic " + auth)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
