package io.sluice.runner.packaged;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.sluice.kafka.LocalKafka;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Webhooks and Kafka plugins as drop-in plugins ({@code destination-webhook/target/plugin},
 * {@code destination-kafka/target/plugin}: a jar, and a jar with {@code lib/}), run by
 * {@code java -jar sluice.jar conformance --plugin} in a child process against a local HTTP
 * receiver and a real KRaft broker. Also {@code sluice destinations} from the jar.
 */
class DestinationPluginsIT {

    static final Path WEBHOOK_PLUGIN = Path.of("..", "destination-webhook", "target", "plugin");
    static final Path KAFKA_PLUGIN = Path.of("..", "destination-kafka", "target", "plugin");
    static final String SECRET = "it-shared-secret-5678";

    @TempDir
    Path dir;

    record Run(int exitCode, String out, String err) {}

    Run sluice(String... args) throws Exception {
        assertThat(ConformanceJarIT.SLUICE_JAR).as("built by the package phase").isRegularFile();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", ConformanceJarIT.SLUICE_JAR.toString()));
        command.addAll(List.of(args));
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("sluice " + String.join(" ", args) + " did not finish in 5 minutes");
        }
        return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void theJarListsBothDestinations() throws Exception {
        Run run = sluice("destinations");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("webhook  (integrations key \"Webhooks\", built-in)",
                "kafka  (integrations key \"Kafka\", built-in)");
    }

    @Test
    void theKafkaPluginFolderPassesTheSuiteFromTheJarReadingTheTopicBack() throws Exception {
        assertThat(KAFKA_PLUGIN.resolve("lib")).as("built by destination-kafka's package phase").isDirectory();
        try (LocalKafka kafka = LocalKafka.start()) {
            kafka.createTopic("conformance", 3);
            Path settings = Files.writeString(dir.resolve("kafka.json"), """
                    {"brokers": "%s", "topic": "conformance", "mechanism": "scram-sha-512",
                     "username": "%s", "password": "%s"}
                    """.formatted(kafka.saslBootstrap(), LocalKafka.USER, LocalKafka.PASSWORD));

            Run run = sluice("conformance", "--plugin", KAFKA_PLUGIN.toString(), "--settings", settings.toString(),
                    "--timeout", "30s", "--without", "RETRYABLE_ERRORS,PARTIAL_FAILURES,PERMANENT_ERRORS,CONFIGURATION_ERRORS");

            assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
            assertThat(run.out()).startsWith("Sluice conformance suite: kafka (Kafka)")
                    .contains("PASS  spec_unicodeDelivered", "PASS  delivery_concurrentSendsFromEightThreadsExactlyOnce",
                            "PASS  delivery_orderPreservedPerPartition")
                    .doesNotContain("SKIP  ", "FAIL  ")
                    .endsWith("39 passed, 0 failed, 0 skipped\n");
            assertThat(run.out() + run.err()).doesNotContain(LocalKafka.PASSWORD);
            assertThat(kafka.records("conformance")).as("what the suite sent is on the topic").isNotEmpty();

            // sluice tail follows the topic through the built-in kafka destination's reader.
            Run tail = sluice("tail", "--type", "kafka", "--settings", settings.toString(), "--from", "earliest",
                    "--max", "3", "--timeout", "60s");
            assertThat(tail.exitCode()).as(tail.out() + tail.err()).isZero();
            assertThat(tail.out().lines().toList()).hasSize(3)
                    .allSatisfy(line -> assertThat(line).contains("\"partition\":", "\"offset\":", "\"event\":{"));
            assertThat(tail.out() + tail.err()).doesNotContain(LocalKafka.PASSWORD);
        }
    }

    @Test
    void theWebhookPluginJarDeliversSignedCallsFromTheJar() throws Exception {
        assertThat(WEBHOOK_PLUGIN).as("built by destination-webhook's package phase").isDirectory();
        AtomicInteger signed = new AtomicInteger();
        AtomicInteger unsigned = new AtomicInteger();
        HttpServer receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        receiver.createContext("/", exchange -> {
            try (exchange; InputStream in = exchange.getRequestBody()) {
                byte[] body = in.readAllBytes();
                boolean valid = hmacSha1Hex(body).equals(exchange.getRequestHeaders().getFirst("X-Signature"));
                (valid ? signed : unsigned).incrementAndGet();
                exchange.sendResponseHeaders(200, -1);
            }
        });
        receiver.start();
        try {
            Path settings = Files.writeString(dir.resolve("webhook.json"), """
                    {"urls": ["http://127.0.0.1:%d/hook"], "sharedSecret": "%s", "batching": true}
                    """.formatted(receiver.getAddress().getPort(), SECRET));

            Run run = sluice("conformance", "--plugin", WEBHOOK_PLUGIN.toString(), "--settings", settings.toString(),
                    "--timeout", "20s", "--without", "PARTIAL_FAILURES");

            // A webhook cannot read back what it sent: the read-back checks skip here (the module's
            // WebhookConformanceTest runs them all with its receiver), and the exit is 1, "not proven".
            assertThat(run.exitCode()).as(run.out() + run.err()).isEqualTo(1);
            assertThat(run.out()).startsWith("Sluice conformance suite: webhook (Webhooks)")
                    .contains("PASS  discovery_serviceLoaderFindsProvider", "PASS  settings_secretsNeverAppearInLogs",
                            "PASS  delivery_deliverReturnsWithoutWaiting", "SKIP  spec_trackExampleDelivered: no target reader")
                    .doesNotContain("FAIL  ")
                    .endsWith("15 passed, 0 failed, 24 skipped\n");
            assertThat(run.out() + run.err()).doesNotContain(SECRET);
            // The secret checks deliver with canary secrets of the suite's own, signed with those: only the
            // deliveries under the configured secret verify here, and there must be some.
            assertThat(signed.get()).as("requests the receiver verified under the shared secret (%d others)", unsigned.get())
                    .isPositive();
        } finally {
            receiver.stop(0);
        }
    }

    private static String hmacSha1Hex(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

}
