package io.sluice.runner.reliability;

import io.sluice.kinesis.local.Kinesalite;
import static io.sluice.runner.testing.TestSluice.basic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.runner.testing.TestSluice;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The disk spool fills up while Kinesis refuses everything: the API says so (507 {@code spool_full}
 * at {@code spool.maxBytes}; 503 {@code spool_unavailable} when the disk itself is full), never 200
 * for what it did not write, and once Kinesis is back every accepted event is delivered.
 */
class SpoolFullTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String KEY = "spool-full-key";

    @TempDir
    Path dir;

    /** {@code spool.maxBytes} reached: 507 with a clear message and Retry-After; nothing accepted is lost. */
    @Test
    @Timeout(180)
    void aFullSpoolAnswers507AndLosesNothing() throws Exception {
        try (Kinesalite kinesis = Kinesalite.start()) {
            kinesis.createStream("events", 2);
            try (FaultInjectingKinesis faulty = FaultInjectingKinesis.inFrontOf(kinesis.endpoint(), 1);
                 KinesisConsumer consumer = new KinesisConsumer(kinesis.endpoint(), "events");
                 TestSluice sluice = TestSluice.start(dir, "spool: {path: '" + dir.resolve("spool.db")
                         + "', maxBytes: 300000}\n" + KinesisRestartTest.config(faulty.endpoint())
                         .replace(KinesisRestartTest.KEY, KEY))) {
                faulty.failEverything(true);
                LoadGenerator load = new LoadGenerator(() -> URI.create(sluice.server().baseUrl()), KEY, "full",
                        3, 20, Long.MAX_VALUE, Duration.ofMillis(20)).start();
                try {
                    assertThat(Waits.until(Duration.ofSeconds(60), () -> load.status(507) >= 20))
                            .as("the spool fills up and the API says so").isTrue();
                    StringBuilder probe = new StringBuilder("{\"batch\":[");
                    for (int i = 0; i < 100; i++) {
                        probe.append(i == 0 ? "" : ",").append("{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",")
                                .append("\"messageId\":\"probe-while-full-").append(i).append("\"}");
                    }
                    HttpResponse<String> full = sluice.post("/v1/batch", probe.append("]}").toString(), basic(KEY));
                    long acceptedWhileFull = load.acceptedCount();
                    Waits.sleep(Duration.ofSeconds(2));
                    long acceptedLater = load.acceptedCount();

                    faulty.failEverything(false);
                    assertThat(Waits.until(Duration.ofSeconds(60), () -> load.acceptedCount() > acceptedLater + 500))
                            .as("accepting again once Kinesis drains the spool").isTrue();
                    load.stop();
                    KinesisConsumer.ReadBack read = consumer.readBack(load.accepted(), Duration.ofSeconds(90));

                    Figures.of("spool-full-maxBytes", load, read)
                            .put("maxBytes", 300000)
                            .put("acceptedInTwoSecondsWhileFull", acceptedLater - acceptedWhileFull)
                            .print();
                    JsonNode body = JSON.readTree(full.body());
                    assertThat(full.statusCode()).isEqualTo(507);
                    assertThat(body.get("success").asBoolean()).isFalse();
                    assertThat(body.get("code").asText()).isEqualTo("spool_full");
                    assertThat(body.get("message").asText()).contains("spool is full").contains("nothing");
                    assertThat(full.headers().firstValue("Retry-After")).isPresent();
                    assertThat(read.lost()).as("answered 200 but never delivered").isEmpty();
                    assertThat(read.caughtUp()).isTrue();
                    assertThat(load.unexpected()).isEmpty();
                    assertThat(acceptedLater).as("no 200 while the spool stays full").isEqualTo(acceptedWhileFull);
                } finally {
                    load.stop();
                }
            }
        }
    }

    /**
     * A real ENOSPC: the spool lives on a 1 MiB tmpfs (mounting needs root; skipped otherwise) and
     * {@code maxBytes} is left at 1 GiB, so the disk fills first. Then Sluice is killed with SIGKILL,
     * the disk grows (the operator frees space), and a new process on the same spool delivers
     * everything that got a 200: so a 200 was only ever sent for events that were on disk.
     */
    @Test
    @Timeout(180)
    void aFullDiskNeverGets200AndLosesNothing() throws Exception {
        Path disk = Files.createDirectories(dir.resolve("disk"));
        assumeThat(run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", disk.toString()))
                .as("mounting a tmpfs (needs root)").isZero();
        try (Kinesalite kinesis = Kinesalite.start()) {
            kinesis.createStream("events", 2);
            Path spool = disk.resolve("spool.db");
            try (FaultInjectingKinesis faulty = FaultInjectingKinesis.inFrontOf(kinesis.endpoint(), 1);
                 KinesisConsumer consumer = new KinesisConsumer(kinesis.endpoint(), "events")) {
                Path config = Files.writeString(dir.resolve("sluice.yaml"), """
                        server: {host: 127.0.0.1, port: 0, shutdownTimeoutMs: 5000}
                        deadLetter: {path: '%s'}
                        spool: {path: '%s', fsync: always}
                        """.formatted(dir.resolve("dead.ndjson"), spool)
                        + KinesisRestartTest.config(faulty.endpoint()).replace(KinesisRestartTest.KEY, KEY));
                faulty.failEverything(true);
                ServeProcess first = ServeProcess.start(dir, "first", config, Map.of(), List.of());
                ServeProcess second = null;
                URI[] target = {first.baseUrl()};
                LoadGenerator load = new LoadGenerator(() -> target[0], KEY, "enospc", 3, 20, Long.MAX_VALUE,
                        Duration.ofMillis(10)).start();
                try {
                    boolean refused = Waits.until(Duration.ofSeconds(90), () -> load.status(503) + load.status(507) >= 20);
                    long acceptedWhileFull = load.acceptedCount();
                    Waits.sleep(Duration.ofSeconds(2));
                    long acceptedLater = load.acceptedCount();
                    String answersWhileFull = load.statuses();
                    long spoolFileBytes = size(disk);

                    // The operator frees space and Kinesis is back: the same process takes events again.
                    assertThat(run("mount", "-o", "remount,size=64m", disk.toString())).isZero();
                    faulty.failEverything(false);
                    boolean recovered = Waits.until(Duration.ofSeconds(60), () -> load.acceptedCount() >= acceptedLater + 300);
                    first.kill();
                    long acceptedAtKill = load.acceptedCount();
                    load.pause();

                    second = ServeProcess.start(dir, "second", config, Map.of(), List.of());
                    target[0] = second.baseUrl();
                    load.resume();
                    Waits.until(Duration.ofSeconds(30), () -> load.acceptedCount() >= acceptedAtKill + 200);
                    load.stop();
                    KinesisConsumer.ReadBack read = consumer.readBack(load.accepted(), Duration.ofSeconds(90));
                    int exit = second.terminate(60);

                    Figures.of("spool-full-enospc", load, read)
                            .put("answersWhileDiskFull", answersWhileFull)
                            .put("acceptedBeforeSpaceFreed", acceptedLater)
                            .put("acceptedBeforeKill", acceptedAtKill)
                            .put("acceptedInTwoSecondsWhileFull", acceptedLater - acceptedWhileFull)
                            .put("spoolBytesOnDisk", spoolFileBytes)
                            .put("exitCodeOnSigterm", exit)
                            .print();
                    assertThat(refused).as("the full disk was reported (503/507): " + load.statuses()).isTrue();
                    assertThat(recovered).as("accepting again once the disk has room, without a restart").isTrue();
                    assertThat(load.status(507)).as("a full disk is a full spool: 507").isPositive();
                    assertThat(read.lost()).as("answered 200 but never delivered").isEmpty();
                    assertThat(read.caughtUp()).isTrue();
                    assertThat(acceptedLater).as("no 200 while the disk stays full").isEqualTo(acceptedWhileFull);
                    assertThat(load.unexpected()).isEmpty();
                    assertThat(exit).isZero();
                } finally {
                    load.stop();
                    first.close();
                    if (second != null) {
                        second.close();
                    }
                }
            }
        } finally {
            run("umount", "-l", disk.toString());
        }
    }

    private static long size(Path folder) throws IOException {
        try (var files = Files.list(folder)) {
            return files.mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return -1;
        }
        if (process.exitValue() != 0) {
            System.out.println(String.join(" ", command) + ": " + output.strip());
        }
        return process.exitValue();
    }
}
