package io.sluice.runner.reliability;

import io.sluice.kinesis.local.Kinesalite;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.runner.testing.TestSluice;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kinesis server is killed (SIGKILL) mid-load and a new one starts {@code outageSeconds} later
 * (default 20, {@code -Dsluice.reliability.outageSeconds=N}): at least 99% of requests are
 * answered 200 meanwhile (the backlog waits on disk), every event answered 200 is delivered, and
 * nothing is lost.
 *
 * <p>kinesalite keeps its records in memory, so what the dead server held dies with it. To count it,
 * a {@link TcpProxy} sits between Sluice and kinesalite: the test first cuts the proxy (Sluice's
 * connections drop and new ones are refused, as from a dead server), lets the consumer catch up with
 * the old server, then kills it. The new server listens behind the same proxy port, so the
 * destination's endpoint stays valid; its stream is created 3 seconds after it is reachable, so
 * Sluice meets a missing stream (unhealthy, events kept) before it can deliver again.
 */
class KinesisRestartTest {

    static final String KEY = "restart-write-key";

    @TempDir
    Path dir;

    @Test
    @Timeout(240)
    void everyAcceptedEventIsDeliveredAcrossAKinesisKillAndRestart() throws Exception {
        int outageSeconds = Figures.intProperty("sluice.reliability.outageSeconds", 20);
        long events = Figures.intProperty("sluice.reliability.restartEvents", 6000);
        Kinesalite first = Kinesalite.start();
        Kinesalite second = null;
        first.createStream("events", 2);
        try (TcpProxy proxy = TcpProxy.to(first.endpoint());
             KinesisConsumer consumer = new KinesisConsumer(first.endpoint(), "events");
             TestSluice sluice = TestSluice.start(dir, config(proxy.endpoint()))) {
            LoadGenerator load = new LoadGenerator(() -> URI.create(sluice.server().baseUrl()), KEY, "restart",
                    3, 10, events, Duration.ofMillis(150)).start();
            try {
                assertThat(Waits.until(Duration.ofSeconds(60), () -> load.acceptedCount() >= events / 8))
                        .as("load before the kill").isTrue();

                proxy.cut();
                consumer.catchUp();
                long readFromFirst = consumer.records();
                long acceptedAtKill = load.acceptedCount();
                first.kill();
                Waits.sleep(Duration.ofSeconds(outageSeconds));
                long acceptedDuringOutage = load.acceptedCount() - acceptedAtKill;

                long acceptedBeforeRestart = load.acceptedCount();
                second = Kinesalite.start();
                proxy.reopen(second.endpoint());
                consumer.pointAt(second.endpoint());
                // The stream is missing until /health says so (at most 30 s: a retry may be backing off
                // from the outage), while events are kept.
                int healthStatus = 0;
                String healthBody = "";
                long missingUntil = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (healthStatus != 503 && System.nanoTime() < missingUntil) {
                    HttpResponse<String> health = sluice.get("/health");
                    healthStatus = health.statusCode();
                    healthBody = health.body();
                    Thread.sleep(100);
                }
                second.createStream("events", 2);

                boolean loadDone = load.awaitDone(Duration.ofSeconds(90));
                load.stop();
                KinesisConsumer.ReadBack read = consumer.readBack(load.accepted(), Duration.ofSeconds(90));
                Set<String> accepted = read.accepted();

                Figures.of("kinesis-restart", load, read)
                        .put("acceptedAtKill", acceptedAtKill)
                        .put("acceptedWhileKinesisDown", acceptedDuringOutage)
                        .put("acceptedAfterRestart", accepted.size() - acceptedBeforeRestart)
                        .put("readFromKilledServer", readFromFirst)
                        .put("readFromRestartedServer", consumer.records() - readFromFirst)
                        .put("healthWhileStreamMissing", healthStatus)
                        .put("outageSeconds", outageSeconds)
                        .print();
                assertThat(read.lost()).as("accepted but never delivered").isEmpty();
                assertThat(read.caughtUp()).isTrue();
                assertThat(loadDone).as("the load finished within its bound").isTrue();
                assertThat(accepted).hasSize((int) events);
                assertThat(load.unexpected()).isEmpty();
                assertThat(acceptedDuringOutage).as("Sluice kept accepting while Kinesis was down").isPositive();
                assertThat((double) load.status(200) / load.requests())
                        .as("requests answered 200 while Kinesis was away: " + load.statuses()).isGreaterThanOrEqualTo(0.99);
                assertThat(accepted.size() - acceptedBeforeRestart).as("the load went on after the restart").isPositive();
                assertThat(healthStatus).as("a missing stream makes /health unhealthy: " + healthBody)
                        .isEqualTo(503);
            } finally {
                load.stop();
            }
        } finally {
            first.close();
            if (second != null) {
                second.close();
            }
        }
    }

    static String config(URI endpoint) {
        return """
                sources:
                  - name: web
                    writeKey: %s
                    destinations:
                      - type: kinesis
                        settings: {region: us-east-1, stream: events, endpoint: "%s", accessKeyId: local, secretAccessKey: local}
                """.formatted(KEY, endpoint);
    }
}
