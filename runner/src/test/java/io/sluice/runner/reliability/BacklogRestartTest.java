package io.sluice.runner.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.kinesis.local.Kinesalite;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backlog of over 100,000 events builds on disk while Kinesis is unreachable; Sluice is then
 * SIGKILLed and started again with a 128 MiB heap and Kinesis back: it resumes the backlog from
 * disk, a window at a time, and every accepted event is delivered.
 */
class BacklogRestartTest {

    static final String KEY = "backlog-restart-key";

    @TempDir
    Path dir;

    @Test
    @Timeout(420)
    void aBacklogOnDiskSurvivesSigkillAndIsDeliveredWithASmallHeap() throws Exception {
        int events = Figures.intProperty("sluice.reliability.backlogEvents", 110_000);
        try (Kinesalite kinesis = Kinesalite.start(); TcpProxy path = TcpProxy.to(kinesis.endpoint())) {
            kinesis.createStream("events", 2);
            Path config = Files.writeString(dir.resolve("sluice.yaml"), """
                    server: {host: 127.0.0.1, port: 0, shutdownTimeoutMs: 2000}
                    deadLetter: {path: '%s'}
                    spool: {path: '%s', fsync: interval}
                    sources:
                      - name: web
                        writeKey: %s
                        destinations:
                          - type: kinesis
                            name: events
                            settings: {region: us-east-1, stream: events, endpoint: "%s", accessKeyId: local, secretAccessKey: local}
                    """.formatted(dir.resolve("dead.ndjson"), dir.resolve("spool.db"), KEY, path.endpoint()));
            path.cut();
            LoadGenerator load;
            long backlogAtKill;
            try (ServeProcess first = ServeProcess.start(dir, "first", config, Map.of(), List.of())) {
                load = new LoadGenerator(first::baseUrl, KEY, "backlog", 4, 100, events, Duration.ZERO).start();
                assertThat(load.awaitDone(Duration.ofSeconds(180))).as("the load was accepted").isTrue();
                backlogAtKill = OneDestinationDownTest.backlogEvents(first.baseUrl(), "events");
                first.kill();
            }
            path.reopen(kinesis.endpoint());
            try (ServeProcess second = ServeProcess.start(dir, "second", config, Map.of(), List.of("-Xmx128m"));
                 KinesisConsumer consumer = new KinesisConsumer(kinesis.endpoint(), "events")) {
                KinesisConsumer.ReadBack read = consumer.readBack(load.accepted(), Duration.ofSeconds(180));
                String stderr = Files.readString(second.stderr());
                Figures.of("backlog-restart", load, read).put("backlogAtKill", backlogAtKill).put("heap", "128m")
                        .put("outOfMemory", stderr.contains("OutOfMemoryError")).print();
                assertThat(backlogAtKill).as("events waiting on disk at the kill").isGreaterThanOrEqualTo(100_000);
                assertThat(stderr).doesNotContain("OutOfMemoryError");
                assertThat(read.lost()).as("accepted but never delivered").isEmpty();
                assertThat(load.accepted()).hasSize(events);
            }
        }
    }
}
