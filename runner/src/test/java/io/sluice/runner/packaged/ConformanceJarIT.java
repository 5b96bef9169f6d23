package io.sluice.runner.packaged;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.kinesis.local.Kinesalite;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice conformance} as users run it: {@code java -jar runner/target/sluice.jar} in a child
 * process, against the Kinesis plugin as a folder to drop into {@code plugins/} (its jar and
 * {@code lib/}, built by destination-kinesis) and a local kinesalite. Runs after packaging (failsafe).
 */
class ConformanceJarIT {

    static final Path SLUICE_JAR = Path.of("target", "sluice.jar");
    static final Path KINESIS_PLUGIN = Path.of("..", "destination-kinesis", "target", "plugin");
    static final String SECRET = "conformance-secret-1234";

    static Kinesalite kinesis;

    @TempDir
    Path dir;

    @BeforeAll
    static void startKinesis() {
        kinesis = Kinesalite.start();
        kinesis.createStream("conformance", 2);
    }

    @AfterAll
    static void stopKinesis() {
        kinesis.close();
    }

    record Run(int exitCode, String out, String err) {}

    Run conformance(String without) throws Exception {
        assertThat(SLUICE_JAR).as("built by the package phase").isRegularFile();
        assertThat(KINESIS_PLUGIN.resolve("lib")).as("built by destination-kinesis' package phase").isDirectory();
        Path settings = Files.writeString(dir.resolve("kinesis.json"), """
                {"stream": "conformance", "region": "%s", "endpoint": "%s",
                 "accessKeyId": "AKIDCONFORMANCE", "secretAccessKey": "%s"}
                """.formatted(Kinesalite.REGION, kinesis.endpoint(), SECRET));
        List<String> args = new ArrayList<>(List.of("conformance",
                "--plugin", KINESIS_PLUGIN.toString(), "--settings", settings.toString(), "--timeout", "20s"));
        if (!without.isEmpty()) {
            args.addAll(List.of("--without", without));
        }
        return sluice(args.toArray(String[]::new));
    }

    /** java -jar sluice.jar ARGS, in a child process. */
    Run sluice(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Daws.disableEc2Metadata=true", "-jar", SLUICE_JAR.toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("sluice " + args[0] + " did not finish in 5 minutes");
        }
        return new Run(process.exitValue(), read(out), read(err));
    }

    @Test
    void everyCheckRunsFromTheJarAndPassesWhenTheInjectedFailuresAreOptedOut() throws Exception {
        Run run = conformance("ORDERING_PER_PARTITION,PERMANENT_ERRORS,RETRYABLE_ERRORS,PARTIAL_FAILURES,CONFIGURATION_ERRORS");

        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
        assertThat(run.out()).startsWith("Sluice conformance suite: kinesis (Amazon Kinesis)")
                .contains("PASS  discovery_serviceLoaderFindsProvider", "PASS  settings_secretsNeverAppearInLogs",
                        "PASS  spec_unicodeDelivered", "PASS  delivery_batchAtMaxEvents",
                        "PASS  delivery_oversizeEventRejectedAndReported", "PASS  delivery_deliverReturnsWithoutWaiting",
                        "note: RETRYABLE_ERRORS opted out")
                .doesNotContain("SKIP  ", "FAIL  ")
                .endsWith("39 passed, 0 failed, 0 skipped\n");
        assertThat(run.out() + run.err()).doesNotContain(SECRET);

        // What the suite wrote, followed back with the generic tail through the same jar.
        Run tail = sluice("tail", "--type", "kinesis", "--settings", dir.resolve("kinesis.json").toString(),
                "--from", "earliest", "--max", "3", "--timeout", "60s");
        assertThat(tail.exitCode()).as(tail.err()).isZero();
        assertThat(tail.out().lines().toList()).hasSize(3).allSatisfy(line -> assertThat(line)
                .startsWith("{\"shardId\":\"shardId-").contains("\"encoding\":\"base64\"").contains("\"event\":{"));
        assertThat(tail.out() + tail.err()).doesNotContain(SECRET);
    }

    @Test
    void checksThatCannotRunAreNamedWithWhyAndTheExitIsOne() throws Exception {
        Run run = conformance("ORDERING_PER_PARTITION,PERMANENT_ERRORS");

        assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(1);
        assertThat(run.out()).contains("PASS  spec_trackExampleDelivered",
                        "SKIP  delivery_retryableFailuresAreRetried: the test target cannot inject failures",
                        "SKIP  delivery_outcomesFollowBatchOrder: the test target cannot inject failures",
                        "SKIP  health_configurationErrorIsReported: the test target cannot inject failures",
                        "NOT PROVEN: 4 check(s) did not run")
                .doesNotContain("FAIL  ", "no target reader supplied")
                .endsWith("35 passed, 0 failed, 4 skipped\n");
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }
}
