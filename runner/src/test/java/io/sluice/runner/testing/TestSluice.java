package io.sluice.runner.testing;

import io.sluice.runner.config.ConfigException;
import io.sluice.runner.config.ConfigLoader;
import io.sluice.runner.config.SluiceConfig;
import io.sluice.runner.plugins.PluginRegistry;
import io.sluice.runner.server.SluiceServer;
import java.io.ByteArrayOutputStream;
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
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.zip.GZIPOutputStream;

/** A Sluice server on a free 127.0.0.1 port, built from YAML, with an HTTP client for it. */
public final class TestSluice implements AutoCloseable {

    public static final Duration WAIT = Duration.ofSeconds(30);

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private final SluiceServer server;
    private final Path deadLetter;

    private TestSluice(SluiceServer server, Path deadLetter) {
        this.server = server;
        this.deadLetter = deadLetter;
    }

    /**
     * Starts a server. {@code yaml} holds the sources (and anything else); the server and dead-letter
     * sections are added here unless present.
     */
    public static TestSluice start(Path dir, String yaml) throws ConfigException {
        Path deadLetter = dir.resolve("dead-letter.ndjson");
        String full = (yaml.contains("server:") ? "" : "server: {host: 127.0.0.1, port: 0, shutdownTimeoutMs: 2000}\n")
                + (yaml.contains("deadLetter:") ? "" : "deadLetter: {path: '" + deadLetter + "'}\n")
                + (yaml.contains("spool:") ? "" : "spool: {path: '" + dir.resolve("spool.db") + "'}\n")
                + yaml;
        SluiceConfig config = new ConfigLoader(PluginRegistry.builtIn()).read(full, "test");
        return new TestSluice(SluiceServer.start(config, PluginRegistry.builtIn(), Clock.systemUTC()), config.deadLetter());
    }

    /** One source {@code web} with key {@code webKey} and one memory destination. */
    public static String memorySource(String webKey, String instance, String extraSettings) {
        return "sources:\n"
                + "  - name: web\n"
                + "    writeKey: " + webKey + "\n"
                + "    destinations:\n"
                + "      - type: memory\n"
                + "        settings: {instance: " + instance + extraSettings + "}\n";
    }

    public SluiceServer server() {
        return server;
    }

    public Path deadLetter() {
        return deadLetter;
    }

    public List<String> deadLetterLines() throws IOException {
        return Files.exists(deadLetter) ? Files.readAllLines(deadLetter) : List.of();
    }

    public URI uri(String path) {
        return URI.create(server.baseUrl() + path);
    }

    public HttpResponse<String> post(String path, String body, Map<String, String> headers) throws IOException, InterruptedException {
        return post(path, HttpRequest.BodyPublishers.ofString(body), headers);
    }

    public HttpResponse<String> post(String path, HttpRequest.BodyPublisher body, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(WAIT).POST(body);
        if (!headers.containsKey("Content-Type")) {
            request.header("Content-Type", "application/json");
        }
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).timeout(WAIT).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    public static Map<String, String> basic(String user, String password) {
        String token = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return Map.of("Authorization", "Basic " + token);
    }

    public static Map<String, String> basic(String writeKey) {
        return basic(writeKey, "");
    }

    public static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    /** Waits up to {@link #WAIT} for {@code condition}; fails the test if it never holds. */
    public static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    @Override
    public void close() {
        server.shutdown();
    }
}
