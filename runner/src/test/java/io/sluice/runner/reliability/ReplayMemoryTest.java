package io.sluice.runner.reliability;

import io.sluice.kinesis.local.Kinesalite;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.core.spool.Spool;
import io.sluice.core.spool.SpoolPolicy;
import io.sluice.spi.event.Event;
import io.sluice.spi.event.EventType;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A spool that holds more than the heap: Sluice (with {@code -Xmx64m}) restarts on a spool of
 * about 100 MB, stays up and serving, replays it within its bounded delivery buffer, and
 * loses nothing: after a SIGKILL, every event is either delivered or still in the spool.
 */
class ReplayMemoryTest {

    static final String KEY = "replay-write-key";

    @TempDir
    Path dir;

    @Test
    @Timeout(240)
    void aSpoolBiggerThanTheHeapIsReplayedWithinTheBuffer() throws Exception {
        int events = Figures.intProperty("sluice.reliability.replayEvents", 200_000);
        Path spool = dir.resolve("spool.db");
        String pad = "p".repeat(300);
        Set<String> written = new HashSet<>();
        long began = System.nanoTime();
        try (Spool prefill = Spool.open(spool, SpoolPolicy.defaults())) {
            for (int start = 0; start < events; start += 10_000) {
                Map<Event, List<String>> routed = new LinkedHashMap<>();
                for (int i = start; i < Math.min(events, start + 10_000); i++) {
                    String id = "replay-" + i;
                    byte[] json = ("{\"type\":\"track\",\"userId\":\"u" + (i % 100) + "\",\"event\":\"Replayed\",\"messageId\":\""
                            + id + "\",\"properties\":{\"pad\":\"" + pad + "\"}}").getBytes(StandardCharsets.UTF_8);
                    routed.put(Event.builder(EventType.TRACK, id, json).userId("u" + (i % 100)).eventName("Replayed")
                            .timestamp(Instant.now()).receivedAt(Instant.now()).build(), List.of("events"));
                    written.add(id);
                }
                prefill.append(routed).join();
            }
        }
        long prefilled = System.nanoTime();
        long spoolBytes = Files.size(spool) + (Files.exists(dir.resolve("spool.db-wal")) ? Files.size(dir.resolve("spool.db-wal")) : 0);

        try (Kinesalite kinesis = Kinesalite.start()) {
            kinesis.createStream("events", 2);
            try (KinesisConsumer consumer = new KinesisConsumer(kinesis.endpoint(), "events")) {
                Path config = Files.writeString(dir.resolve("sluice.yaml"), """
                        server: {host: 127.0.0.1, port: 0, shutdownTimeoutMs: 2000}
                        deadLetter: {path: '%s'}
                        spool: {path: '%s'}
                        delivery: {maxBufferedBytes: 4194304}
                        sources:
                          - name: web
                            writeKey: %s
                            destinations:
                              - type: kinesis
                                name: events
                                settings: {region: us-east-1, stream: events, endpoint: "%s", accessKeyId: local, secretAccessKey: local}
                        """.formatted(dir.resolve("dead.ndjson"), spool, KEY, kinesis.endpoint()));
                ServeProcess serve = ServeProcess.start(dir, "serve", config, Map.of(), List.of("-Xmx64m"));
                int healthy = 0;
                try {
                    HttpClient http = HttpClient.newHttpClient();
                    for (int i = 0; i < 6; i++) {
                        HttpResponse<String> health = http.send(HttpRequest.newBuilder(serve.baseUrl().resolve("/health"))
                                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
                        healthy += health.statusCode() == 200 ? 1 : 0;
                        Thread.sleep(300);
                    }
                    Waits.until(Duration.ofSeconds(60), () -> consumer.records() >= 1_000);
                } finally {
                    serve.kill();
                }
                long killed = System.nanoTime();
                consumer.catchUp();
                System.out.printf("replay test phases: prefill %.1f s, serve %.1f s, catch-up %.1f s%n",
                        (prefilled - began) / 1e9, (killed - prefilled) / 1e9, (System.nanoTime() - killed) / 1e9);
                Set<String> left = new HashSet<>();
                try (Spool reopened = Spool.open(spool, SpoolPolicy.defaults())) {
                    reopened.pending().getOrDefault("events", List.of()).forEach(e -> left.add(e.messageId()));
                }
                Set<String> lost = new HashSet<>(written);
                lost.removeAll(left);
                lost.removeAll(consumer.counts().keySet());
                String stderr = Files.readString(serve.stderr());
                Figures.of("replay-bigger-than-heap").put("inputs", events).put("spoolBytes", spoolBytes)
                        .put("heap", "64m").put("health200of6", healthy).put("delivered", consumer.counts().size())
                        .put("leftInSpool", left.size()).put("lost", lost.size())
                        .put("outOfMemory", stderr.contains("OutOfMemoryError")).print();
                assertThat(stderr).doesNotContain("OutOfMemoryError");
                assertThat(healthy).as("served /health while replaying").isEqualTo(6);
                assertThat(consumer.counts().size()).as("replay delivered").isGreaterThanOrEqualTo(1_000);
                assertThat(lost).isEmpty();
            }
        }
    }
}
