package io.sluice.runner.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.runner.Main;
import io.sluice.runner.testing.SpoolContents;
import io.sluice.spi.event.Event;
import io.sluice.runner.testing.TestSluice;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice serve} as its own process: SIGTERM stops accepting, drains, keeps what is left (in
 * the spool, or without one in the dead-letter file), and exits 0.
 */
class ServeProcessTest {

    @TempDir
    Path dir;

    @Test
    void sigtermKeepsWhatIsLeftInTheSpool() throws Exception {
        Path spool = dir.resolve("spool.db");
        serveAcceptAndSigterm("spool: {path: '" + spool + "'}");
        assertThat(Files.exists(dir.resolve("dead.ndjson")) ? Files.readString(dir.resolve("dead.ndjson")) : "")
                .doesNotContain("held-1");
        assertThat(SpoolContents.pending(spool, "web/memory")).extracting(Event::messageId).containsExactly("held-1");
    }

    @Test
    void sigtermWithoutASpoolDeadLettersWhatIsLeft() throws Exception {
        serveAcceptAndSigterm("spool: {enabled: false}");
        assertThat(Files.readString(dir.resolve("dead.ndjson"))).contains("shutdown before delivery").contains("held-1");
    }

    private void serveAcceptAndSigterm(String spoolYaml) throws Exception {
        Path deadLetter = dir.resolve("dead.ndjson");
        Path config = Files.writeString(dir.resolve("sluice.yaml"), """
                server: {host: 127.0.0.1, port: 0, shutdownTimeoutMs: 500}
                deadLetter: {path: '%s'}
                %s
                sources:
                  - name: web
                    writeKey: process-key
                    destinations:
                      - type: memory
                        settings: {instance: process, mode: hang}
                """.formatted(deadLetter, spoolYaml));
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process sluice = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath, "-Daws.disableEc2Metadata=true", Main.class.getName(),
                "serve", "--config", config.toString(), "--plugins", dir.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(sluice.getInputStream(), StandardCharsets.UTF_8));
            String banner = CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).get(TestSluice.WAIT.toSeconds(), TimeUnit.SECONDS);
            Matcher url = Pattern.compile("listening at (http://127\\.0\\.0\\.1:\\d+)").matcher(banner);
            assertThat(url.find()).as(banner).isTrue();
            assertThat(banner).doesNotContain("process-key");

            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(url.group(1) + "/v1/track"))
                            .header("Content-Type", "application/json")
                            .timeout(TestSluice.WAIT)
                            .POST(HttpRequest.BodyPublishers.ofString(
                                    "{\"writeKey\":\"process-key\",\"userId\":\"u\",\"event\":\"E\",\"messageId\":\"held-1\"}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);

            sluice.destroy(); // SIGTERM
            assertThat(sluice.waitFor(TestSluice.WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

            assertThat(sluice.exitValue()).isZero();
        } finally {
            sluice.destroyForcibly();
        }
    }
}
