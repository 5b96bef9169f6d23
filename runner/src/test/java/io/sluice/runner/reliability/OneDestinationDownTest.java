package io.sluice.runner.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.kinesis.local.Kinesalite;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One source routes to two Kinesis destinations; one of them is unreachable (every connection
 * reset or refused, through a {@link TcpProxy}) for {@code outageSeconds} (default 60) under a
 * sustained load whose backlog is many times the destinations' memory window. The source keeps
 * being answered 200, the healthy destination keeps its latency meanwhile (p99 under 2 s, from the
 * latency histogram between the cut and the recovery), every accepted event reaches both after
 * recovery, and the log stays short. Runs {@code sluice serve} as a child process with
 * a 256 MiB heap.
 */
class OneDestinationDownTest {

    static final String KEY = "one-down-write-key";
    static final long WINDOW_BYTES = 4L * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    @Timeout(600)
    void aDestinationDownForAMinuteHoldsUpNeitherTheSourceNorTheOtherDestination() throws Exception {
        int outageSeconds = Figures.intProperty("sluice.reliability.oneDownSeconds", 60);
        try (Kinesalite kinesis = Kinesalite.start();
             TcpProxy sickPath = TcpProxy.to(kinesis.endpoint())) {
            kinesis.createStream("healthy", 2);
            kinesis.createStream("sick", 2);
            Path config = Files.writeString(dir.resolve("sluice.yaml"), config(dir, kinesis.endpoint(), sickPath.endpoint()));
            try (ServeProcess serve = ServeProcess.start(dir, "serve", config, Map.of(), List.of());
                 KinesisConsumer healthy = new KinesisConsumer(kinesis.endpoint(), "healthy");
                 KinesisConsumer sick = new KinesisConsumer(kinesis.endpoint(), "sick")) {
                LoadGenerator load = new LoadGenerator(serve::baseUrl, KEY, "down", 4, 50, Long.MAX_VALUE,
                        Duration.ofMillis(50)).start();
                long peakBacklogBytes = 0;
                String atCut;
                String atRecovery;
                JsonNode sickWhileDown;
                int readyWhileDown;
                try {
                    Waits.sleep(Duration.ofSeconds(5));
                    sickPath.cut();
                    atCut = get(serve.baseUrl(), "/metrics");
                    long outageEnds = System.nanoTime() + Duration.ofSeconds(outageSeconds).toNanos();
                    while (System.nanoTime() < outageEnds) {
                        peakBacklogBytes = Math.max(peakBacklogBytes, backlogBytes(serve.baseUrl(), "web/sick"));
                        Thread.sleep(1_000);
                    }
                    atRecovery = get(serve.baseUrl(), "/metrics");
                    sickWhileDown = health(serve.baseUrl(), "web/sick");
                    readyWhileDown = status(serve.baseUrl(), "/ready");
                    sickPath.reopen(kinesis.endpoint());
                    Waits.sleep(Duration.ofSeconds(10));
                } finally {
                    load.stop();
                }
                KinesisConsumer.ReadBack toHealthy = healthy.readBack(load.accepted(), Duration.ofSeconds(240));
                KinesisConsumer.ReadBack toSick = sick.readBack(load.accepted(), Duration.ofSeconds(240));
                double p99Share = share(atCut, atRecovery, "web/healthy", "2.0");
                long logLines = Files.readAllLines(serve.stderr()).size();
                double available = (double) load.status(200) / load.requests();

                Figures.of("one-destination-down", load, toSick)
                        .put("healthyLost", toHealthy.lost().size())
                        .put("availability", available)
                        .put("healthyDeliveredWithin2s", p99Share)
                        .put("peakSickBacklogBytes", peakBacklogBytes)
                        .put("memoryWindowBytes", WINDOW_BYTES)
                        .put("logLines", logLines)
                        .put("outageSeconds", outageSeconds)
                        .print();
                assertThat(available).as("share of requests answered 200: " + load.statuses()).isGreaterThanOrEqualTo(0.999);
                assertThat(peakBacklogBytes).as("the sick destination's backlog outgrew its memory window several times")
                        .isGreaterThan(3 * WINDOW_BYTES);
                assertThat(p99Share).as("healthy deliveries within 2 s (p99 under 2 s)").isGreaterThanOrEqualTo(0.99);
                assertThat(sickWhileDown.get("status").asText()).as("/health of the sick destination during the outage: "
                        + sickWhileDown).isEqualTo("unhealthy");
                assertThat(sickWhileDown.get("message").asText()).startsWith("deliveries failing for ");
                assertThat(readyWhileDown).as("/ready during the outage: the node stays in rotation").isEqualTo(200);
                assertThat(health(serve.baseUrl(), "web/sick").get("status").asText()).as("after recovery").isEqualTo("healthy");
                assertThat(toHealthy.lost()).as("lost on the healthy destination").isEmpty();
                assertThat(toSick.lost()).as("lost on the destination that was down").isEmpty();
                assertThat(load.unexpected()).isEmpty();
                assertThat(logLines).as("log lines: " + Files.readString(serve.stderr()).lines().limit(40).toList())
                        .isLessThan(300);
            }
        }
    }

    /** The share of the destination's deliveries between two scrapes that fell in the latency bucket {@code le}. */
    static double share(String before, String after, String destination, String le) {
        String bucket = "sluice_delivery_latency_seconds_bucket\\{destination=\"" + destination + "\",le=\""
                + Pattern.quote(le) + "\"}";
        String count = "sluice_delivery_latency_seconds_count\\{destination=\"" + destination + "\"}";
        double deliveries = value(after, count) - value(before, count);
        assertThat(deliveries).as("deliveries while the other destination was down").isPositive();
        return (value(after, bucket) - value(before, bucket)) / deliveries;
    }

    private static double value(String metrics, String series) {
        Matcher m = Pattern.compile("(?m)^" + series + " (\\S+)$").matcher(metrics);
        assertThat(m.find()).as(series + " in /metrics").isTrue();
        return Double.parseDouble(m.group(1));
    }

    static long backlogBytes(URI base, String destination) throws Exception {
        return health(base, destination).get("backlogBytes").asLong();
    }

    static long backlogEvents(URI base, String destination) throws Exception {
        return health(base, destination).get("backlogEvents").asLong();
    }

    private static JsonNode health(URI base, String destination) throws Exception {
        for (JsonNode d : JSON.readTree(get(base, "/health")).get("destinations")) {
            if (d.get("name").asText().equals(destination)) {
                return d;
            }
        }
        throw new AssertionError(destination + " is not in /health");
    }

    static int status(URI base, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    static String get(URI base, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    static String config(Path dir, URI healthy, URI sick) {
        return """
                server: {host: 127.0.0.1, port: 0}
                deadLetter: {path: '%s'}
                spool: {path: '%s'}
                delivery: {maxBufferedBytes: %d}
                sources:
                  - name: web
                    writeKey: %s
                    destinations:
                      - type: kinesis
                        name: web/healthy
                        settings: {region: us-east-1, stream: healthy, endpoint: "%s", accessKeyId: local, secretAccessKey: local}
                      - type: kinesis
                        name: web/sick
                        settings: {region: us-east-1, stream: sick, endpoint: "%s", accessKeyId: local, secretAccessKey: local}
                """.formatted(dir.resolve("dead-letter.ndjson"), dir.resolve("spool.db"), WINDOW_BYTES, KEY, healthy, sick);
    }
}
