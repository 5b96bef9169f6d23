package io.sluice.runner.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.runner.config.ConfigLoader;
import io.sluice.runner.config.SluiceConfig;
import io.sluice.runner.plugins.PluginRegistry;
import io.sluice.runner.routing.Route;
import io.sluice.runner.server.SluiceServer;
import io.sluice.runner.testing.CapturedLogs;
import io.sluice.runner.testing.Cli;
import io.sluice.runner.testing.LocalKinesis;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets given through {@code ${env:}} and written in the configuration file never appear in logs
 * (at TRACE, with the production logback configuration), errors, {@code /health}, {@code /metrics},
 * {@code destinations} or {@code validate} output, dead-letter lines, the spool file, or any
 * {@code toString}. Each secret is also looked for Base64-encoded (as in an Authorization header).
 */
class SecretsLeakTest {

    @RegisterExtension
    static final LocalKinesis kinesis = new LocalKinesis();

    @TempDir
    Path dir;

    @BeforeAll
    static void createStream() {
        kinesis.createStream("events", 1);
    }

    /** Distinct, recognisable values no code would make up by itself. */
    static Map<String, String> secrets() {
        Map<String, String> secrets = new LinkedHashMap<>();
        secrets.put("SLUICE_WRITE_KEY", "wk-env-" + UUID.randomUUID());
        secrets.put("AWS_SECRET", "awsSecretEnv" + UUID.randomUUID().toString().replace("-", ""));
        secrets.put("FILE_WRITE_KEY", "wk-file-" + UUID.randomUUID());
        secrets.put("FILE_AWS_SECRET", "awsSecretFile" + UUID.randomUUID().toString().replace("-", ""));
        secrets.put("FILE_API_KEY", "api-file-" + UUID.randomUUID());
        return secrets;
    }

    static String config(Path dir, Map<String, String> s, String extra) {
        return """
                server: {host: 127.0.0.1, port: 0, shutdownTimeoutMs: 2000}
                deadLetter: {path: '%s'}
                spool: {path: '%s'}
                sources:
                  - name: web
                    writeKey: ${env:SLUICE_WRITE_KEY}
                    destinations:
                      - type: kinesis
                        name: good
                        settings: {region: us-east-1, stream: events, endpoint: "%s", accessKeyId: AKIAEXAMPLE, secretAccessKey: "${env:AWS_SECRET}"}
                      - type: kinesis
                        name: missing-stream
                        settings: {region: us-east-1, stream: absent, endpoint: "%s", accessKeyId: AKIAEXAMPLE, secretAccessKey: "%s"}
                  - name: app
                    writeKey: "%s"
                    destinations:
                      - type: memory
                        settings: {instance: secrets, mode: reject, apiKey: "%s"%s}
                """.formatted(dir.resolve("dead.ndjson"), dir.resolve("spool.db"), kinesis.endpoint(), kinesis.endpoint(),
                s.get("FILE_AWS_SECRET"), s.get("FILE_WRITE_KEY"), s.get("FILE_API_KEY"), extra);
    }

    @Test
    @Timeout(180)
    void noSecretAppearsAnywhereSluiceWritesOrAnswers() throws Exception {
        Map<String, String> secrets = secrets();
        Map<String, String> env = Map.of("SLUICE_WRITE_KEY", secrets.get("SLUICE_WRITE_KEY"),
                "AWS_SECRET", secrets.get("AWS_SECRET"), "SLUICE_LOG_LEVEL", "TRACE");
        Path config = Files.writeString(dir.resolve("sluice.yaml"), config(dir, secrets, ""));
        Path broken = Files.writeString(dir.resolve("broken.yaml"), config(dir, secrets, ", unknownSetting: x")
                .replace("region: us-east-1, stream: absent", "region: mars-north-9, stream: absent")
                .replace("shutdownTimeoutMs: 2000}", "shutdownTimeoutMs: 2000, colour: blue}"));
        List<String> production = List.of("-Dlogback.configurationFile=" + Path.of("src/main/resources/logback.xml").toAbsolutePath());
        Map<String, String> seen = new LinkedHashMap<>(); // where -> text

        ServeProcess serve = ServeProcess.start(dir, "serve", config, env, production);
        try {
            String webKey = secrets.get("SLUICE_WRITE_KEY");
            String appKey = secrets.get("FILE_WRITE_KEY");
            URI base = serve.baseUrl();
            List<String[]> calls = List.of(
                    new String[] {"/v1/track", basic(webKey), "{\"userId\":\"u\",\"event\":\"Header Key\"}"},
                    new String[] {"/v1/track", null, "{\"writeKey\":\"" + webKey + "\",\"userId\":\"u\",\"event\":\"Body Key\"}"},
                    new String[] {"/v1/batch", null, "{\"writeKey\":\"" + webKey + "\",\"batch\":[{\"type\":\"track\",\"userId\":\"u\","
                            + "\"event\":\"Ok\",\"writeKey\":\"" + webKey + "\"},{\"type\":\"track\",\"writeKey\":\"" + webKey + "\"}]}"},
                    new String[] {"/v1/track", basic(webKey + "x"), "{\"userId\":\"u\",\"event\":\"Near Key\"}"},
                    new String[] {"/v1/track", basic(webKey.substring(0, 10)), "{\"userId\":\"u\",\"event\":\"Prefix\"}"},
                    new String[] {"/v1/track", "Basic " + b64(webKey + ":" + webKey), "{\"userId\":\"u\",\"event\":\"Password\"}"},
                    new String[] {"/v1/track", null, "{\"writeKey\":\"" + webKey + "\", broken"},
                    new String[] {"/v1/track", null, "{\"writeKey\":" + webKey + "}"},
                    new String[] {"/v1/track", null, "{\"writeKey\":\"" + webKey + "x\",\"userId\":\"u\",\"event\":\"E\"}"},
                    new String[] {"/v1/track", basic(webKey), "{\"writeKey\":\"" + webKey + "\",\"event\":\"No User\"}"},
                    new String[] {"/v1/track?writeKey=" + webKey, basic(webKey), "{\"userId\":\"u\",\"event\":\"Query\"}"},
                    new String[] {"/v1/" + webKey, basic(webKey), "{}"},
                    new String[] {"/v1/track", basic(appKey), "{\"userId\":\"u\",\"event\":\"Rejected By Memory\"}"},
                    new String[] {"/v1/batch", basic(appKey), "{\"batch\":[{\"type\":\"identify\",\"userId\":\"u\","
                            + "\"traits\":{\"note\":\"no secret here\"}}]}"});
            HttpClient http = HttpClient.newHttpClient();
            for (String[] call : calls) {
                HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(call[0])).timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(call[2]));
                if (call[1] != null) {
                    request.header("Authorization", call[1]);
                }
                HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                seen.put("answer to " + call[0].replaceAll("\\?.*", "?...") + " " + call[2].length(), response.statusCode() + " "
                        + response.headers().map() + " " + response.body());
            }
            // The destination writing to a missing stream turns unhealthy; its message names stream and region.
            Waits.until(Duration.ofSeconds(30), () -> get(http, base.resolve("/health")).startsWith("503"));
            seen.put("/health", get(http, base.resolve("/health")));
            seen.put("/metrics", get(http, base.resolve("/metrics")));
            seen.put("GET /v1/track", get(http, base.resolve("/v1/track")));
            seen.put("/nowhere", get(http, base.resolve("/nowhere/" + webKey)));
            Thread.sleep(1000); // let the memory destination's rejections reach the dead-letter file
            assertThat(serve.terminate(60)).isZero();
        } finally {
            serve.close();
        }
        seen.put("serve stdout", Files.readString(serve.stdout()));
        seen.put("serve stderr (production logback, TRACE)", Files.readString(serve.stderr()));
        seen.put("dead-letter file", Files.exists(dir.resolve("dead.ndjson")) ? Files.readString(dir.resolve("dead.ndjson")) : "");
        seen.put("spool files", spoolBytes(dir));
        seen.putAll(run("validate", env, production, "validate", "--config", config.toString()));
        seen.putAll(run("validate-broken", env, production, "validate", "--config", broken.toString()));
        Cli destinations = Cli.run("destinations");
        Cli destinationsJson = Cli.run("destinations", "--json");
        seen.put("destinations", destinations.out() + destinations.err());
        seen.put("destinations --json", destinationsJson.out() + destinationsJson.err());

        List<String> leaks = leaks(seen, secrets);
        long bytes = seen.values().stream().mapToLong(String::length).sum();
        Figures.of("secrets-end-to-end").put("inputs", seen.size()).put("secrets", secrets.size())
                .put("bytesScanned", bytes).put("leaks", leaks.size()).print();
        assertThat(seen.get("serve stderr (production logback, TRACE)")).as("logging ran at TRACE").contains("TRACE");
        assertThat(seen.get("serve stderr (production logback, TRACE)").lines()
                .filter(line -> line.matches(".*\\b(TRACE|DEBUG|INFO)\\b.*\\] (s\\.a\\.|software\\.amazon|i\\.n\\.|io\\.netty|o\\.a\\.h).*")))
                .as("AWS SDK, Netty and Apache HTTP log nothing below WARN, even at TRACE").isEmpty();
        assertThat(seen.get("/health")).as("the unhealthy message is there to be scanned").contains("absent");
        assertThat(seen.get("validate-broken stdout+stderr")).contains("mars-north-9").contains("colour");
        assertThat(seen.get("dead-letter file")).contains("no_user_anon_id").contains("Rejected By Memory");
        assertThat(leaks).isEmpty();
    }

    /** The same secrets in-process: every toString of the configuration and the running pipeline, and the captured logs. */
    @Test
    @Timeout(120)
    void noSecretInToStringOrCapturedLogs() throws Exception {
        Map<String, String> secrets = secrets();
        ConfigLoader loader = new ConfigLoader(PluginRegistry.builtIn(), secrets::get);
        Map<String, String> seen = new LinkedHashMap<>();
        try (CapturedLogs logs = new CapturedLogs()) {
            SluiceConfig config = loader.read(config(dir, secrets, ""), "secrets.yaml");
            seen.put("SluiceConfig.toString", config.toString());
            config.sources().forEach(s -> {
                seen.put("Source " + s.name(), s.toString() + " " + s.writeKey());
                s.destinations().forEach(d -> seen.put("Destination " + d.name(), d.toString() + " " + d.settings()));
            });
            try {
                loader.read(config(dir, secrets, ", unknownSetting: x").replace("us-east-1, stream: absent", "mars-north-9, stream: absent"),
                        "broken.yaml");
            } catch (io.sluice.runner.config.ConfigException e) {
                seen.put("ConfigException", e.toString() + " " + e.getMessage());
            }
            SluiceServer server = SluiceServer.start(config, PluginRegistry.builtIn(), Clock.systemUTC());
            try {
                server.pipeline().sources().forEach(s -> seen.put("running " + s.name(), s.toString()));
                for (Route route : server.pipeline().routes()) {
                    seen.put("route " + route.name(), route + " " + route.engine().destination() + " "
                            + route.engine().destination().health());
                }
                HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                                URI.create(server.baseUrl() + "/v1/track")).header("Authorization", basic(secrets.get("FILE_WRITE_KEY")))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"userId\":\"u\",\"event\":\"E\"}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                seen.put("answer", answer.body());
                Waits.until(Duration.ofSeconds(30), () -> server.pipeline().routes().stream()
                        .anyMatch(r -> !r.engine().destination().health().isHealthy()));
                server.pipeline().routes().forEach(r -> seen.put("health " + r.name(), r.engine().destination().health().toString()));
            } finally {
                server.shutdown();
            }
            seen.put("captured logs", String.join("\n", logs.lines()));
        }
        List<String> leaks = leaks(seen, secrets);
        Figures.of("secrets-to-string").put("inputs", seen.size()).put("secrets", secrets.size()).put("leaks", leaks.size()).print();
        assertThat(seen.get("captured logs")).isNotEmpty();
        assertThat(leaks).isEmpty();
    }

    @Test
    void theScanFindsAPlantedSecret() {
        Map<String, String> secrets = secrets();
        String key = secrets.get("FILE_WRITE_KEY");
        assertThat(leaks(Map.of("log", "x " + key + " y"), secrets)).hasSize(1);
        assertThat(leaks(Map.of("header", "Authorization: Basic " + b64(key + ":")), secrets)).isNotEmpty();
        assertThat(leaks(Map.of("clean", "nothing to see"), secrets)).isEmpty();
    }

    /** Where each secret (as is, or Base64 of "secret:" as in a Basic header) was found. */
    static List<String> leaks(Map<String, String> seen, Map<String, String> secrets) {
        List<String> leaks = new ArrayList<>();
        seen.forEach((where, text) -> secrets.forEach((name, value) -> {
            for (String form : List.of(value, b64(value + ":"), b64(value).replace("=", ""))) {
                int at = text.indexOf(form);
                if (at >= 0) {
                    leaks.add(name + " in " + where + ": ..." + text.substring(Math.max(0, at - 80), Math.min(text.length(), at + 80)) + "...");
                }
            }
        }));
        return leaks;
    }

    private Map<String, String> run(String name, Map<String, String> env, List<String> jvmArgs, String... args) throws Exception {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath, "-Daws.disableEc2Metadata=true", "-Daws.cborEnabled=false"));
        command.addAll(jvmArgs);
        command.add(io.sluice.runner.Main.class.getName());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor(60, TimeUnit.SECONDS);
        return Map.of(name + " stdout+stderr", "exit " + process.exitValue() + "\n" + output);
    }

    private static String spoolBytes(Path dir) throws IOException {
        StringBuilder text = new StringBuilder();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(p -> p.getFileName().toString().startsWith("spool.db")).toList()) {
                text.append(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1));
            }
        }
        return text.toString();
    }

    private static String get(HttpClient http, URI uri) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() + " " + response.body();
        } catch (IOException | InterruptedException e) {
            return "failed: " + e;
        }
    }

    static String basic(String key) {
        return "Basic " + b64(key + ":");
    }

    static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
