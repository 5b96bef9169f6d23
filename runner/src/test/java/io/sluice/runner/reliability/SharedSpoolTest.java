package io.sluice.runner.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.runner.Main;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code sluice serve} processes pointed at one spool: the second refuses to start and names
 * the file, instead of replaying the first one's events.
 */
class SharedSpoolTest {

    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void aSecondProcessOnTheSameSpoolRefusesToStart() throws Exception {
        Path spool = dir.resolve("spool.db");
        Path config = Files.writeString(dir.resolve("sluice.yaml"), """
                server: {host: 127.0.0.1, port: 0}
                deadLetter: {path: '%s'}
                spool: {path: '%s'}
                sources:
                  - name: web
                    writeKey: shared-spool-key
                    destinations:
                      - type: memory
                        settings: {instance: shared}
                """.formatted(dir.resolve("dead.ndjson"), spool));
        try (ServeProcess first = ServeProcess.start(dir, "first", config, Map.of(), List.of())) {
            String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            Process second = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", classPath, Main.class.getName(), "serve", "--config", config.toString())
                    .redirectErrorStream(true).start();
            String output = new String(second.getInputStream().readAllBytes());
            assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(second.exitValue()).as(output).isNotZero();
            assertThat(output).contains(spool.toString()).contains("in use by another Sluice process");
            assertThat(first.baseUrl()).isNotNull();
        }
    }
}
