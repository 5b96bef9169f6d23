package io.sluice.runner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.runner.testing.Cli;
import io.sluice.runner.testing.PluginJars;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice conformance} in-process: a careless plugin fails with the check named, and arguments
 * are checked. The Kinesis plugin is run through the built sluice.jar in {@code ConformanceJarIT}.
 */
class ConformanceCommandTest {

    @TempDir
    Path dir;

    @Test
    void aPluginThatBreaksARuleFailsWithTheCheckNamed() throws Exception {
        Path jar = PluginJars.provider(dir, "tiny.jar", "org.example.tiny", "TinyProvider", "tiny");
        Path settings = Files.writeString(dir.resolve("tiny.json"), "{}");

        Cli result = Cli.run("conformance", "--plugin", jar.toString(), "--settings", settings.toString(), "--timeout", "5s");

        assertThat(result.exitCode()).as(result.out() + result.err()).isEqualTo(1);
        assertThat(result.out()).as(result.err()).contains("FAIL  settings_everyFieldIsDescribed");
    }

    @Test
    void argumentsAreChecked() {
        assertThat(Cli.run("conformance", "--plugin", "x.jar").exitCode()).isEqualTo(2);
        Cli missing = Cli.run("conformance", "--plugin", dir.resolve("missing.jar").toString(), "--settings", "s.json");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("no plugin jar or folder there");
        assertThat(Cli.run("conformance", "--help").out()).contains("--plugin=JAR|DIR", "--without=CAPABILITY");
    }

}
