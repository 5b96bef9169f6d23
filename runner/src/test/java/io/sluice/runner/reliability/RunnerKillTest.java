package io.sluice.runner.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.runner.testing.SpoolContents;
import io.sluice.runner.testing.LocalKinesis;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code sluice serve} is killed with SIGKILL mid-load and started again on the same spool: every
 * event that got a 200 is delivered. Shortly before the kill the wire to Kinesis stalls (a
 * {@link TcpProxy} holds every byte), so the killed process holds accepted events that only its
 * spool knows; the test counts them in the spool file between the two runs. Run with both fsync
 * policies: a SIGKILL is not a power cut, so {@code interval} must lose nothing either.
 */
class RunnerKillTest {

    static final String KEY = "kill-write-key";

    @RegisterExtension
    static final LocalKinesis kinesis = new LocalKinesis();

    @TempDir
    Path dir;

    @ParameterizedTest(name = "fsync {0}")
    @ValueSource(strings = {"always", "interval"})
    @Timeout(180)
    void everyEventAnswered200IsDeliveredAfterASigkill(String fsync) throws Exception {
        String stream = "kill-" + fsync;
        long events = Figures.intProperty("sluice.reliability.killEvents", 4000);
        kinesis.createStream(stream, 2);
        Path spool = dir.resolve("spool.db");
        try (TcpProxy proxy = TcpProxy.to(kinesis.endpoint());
             KinesisConsumer consumer = new KinesisConsumer(kinesis.endpoint(), stream)) {
            Path config = Files.writeString(dir.resolve("sluice.yaml"), """
                    server: {host: 127.0.0.1, port: 0, shutdownTimeoutMs: 5000}
                    deadLetter: {path: '%s'}
                    spool: {path: '%s', fsync: %s, fsyncIntervalMs: 200}
                    sources:
                      - name: web
                        writeKey: %s
                        destinations:
                          - type: kinesis
                            name: events
                            settings: {region: us-east-1, stream: %s, endpoint: "%s", accessKeyId: local, secretAccessKey: local}
                    """.formatted(dir.resolve("dead.ndjson"), spool, fsync, KEY, stream, proxy.endpoint()));
            ServeProcess first = ServeProcess.start(dir, "first", config, Map.of(), List.of());
            ServeProcess second = null;
            URI[] target = {first.baseUrl()};
            LoadGenerator load = new LoadGenerator(() -> target[0], KEY, "kill-" + fsync, 3, 20, events,
                    Duration.ofMillis(20)).start();
            try {
                assertThat(Waits.until(Duration.ofSeconds(60), () -> load.acceptedCount() >= events / 4))
                        .as("load before the kill").isTrue();
                proxy.stall(true);
                long acceptedAtStall = load.acceptedCount();
                assertThat(Waits.until(Duration.ofSeconds(30), () -> load.acceptedCount() >= acceptedAtStall + 200))
                        .as("accepting while Kinesis stalls").isTrue();

                first.kill();
                long acceptedAtKill = load.acceptedCount();
                proxy.cut(); // what the dead process had on the wire is dropped, not delivered late
                proxy.reopen(kinesis.endpoint());
                long inSpool = SpoolContents.backlog(spool);

                second = ServeProcess.start(dir, "second", config, Map.of(), List.of());
                target[0] = second.baseUrl();
                boolean loadDone = load.awaitDone(Duration.ofSeconds(90));
                load.stop();
                KinesisConsumer.ReadBack read = consumer.readBack(load.accepted(), Duration.ofSeconds(90));
                int exit = second.terminate(60);
                long leftInSpool = SpoolContents.backlog(spool);

                Figures.of("runner-sigkill-fsync-" + fsync, load, read)
                        .put("acceptedAtKill", acceptedAtKill)
                        .put("inSpoolAfterKill", inSpool)
                        .put("acceptedAfterRestart", read.accepted().size() - acceptedAtKill)
                        .put("leftInSpoolAtEnd", leftInSpool)
                        .put("exitCodeOnSigterm", exit)
                        .print();
                assertThat(read.lost()).as("answered 200 but never delivered").isEmpty();
                assertThat(read.caughtUp()).isTrue();
                assertThat(inSpool).as("the killed process held accepted, undelivered events in its spool").isPositive();
                assertThat(loadDone).as("the load finished within its bound").isTrue();
                assertThat(load.unexpected()).isEmpty();
                assertThat(exit).isZero();
                assertThat(leftInSpool).isZero();
            } finally {
                load.stop();
                first.close();
                if (second != null) {
                    second.close();
                }
            }
        }
    }
}
