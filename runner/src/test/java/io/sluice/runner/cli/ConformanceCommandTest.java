package io.sluice.runner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.kinesis.KinesisDestinationProvider;
import io.sluice.kinesis.local.Kinesalite;
import io.sluice.runner.testing.Cli;
import io.sluice.runner.testing.PluginJars;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice conformance} against plugin jars: the Kinesis plugin passes, a careless one fails. */
class ConformanceCommandTest {

    @TempDir
    Path dir;

    @Test
    void kinesisPluginJarPassesEveryCheckItCanRunWithoutAReader() throws Exception {
        try (Kinesalite kinesis = Kinesalite.start()) {
            kinesis.createStream("conformance", 2);
            Path settings = Files.writeString(dir.resolve("kinesis.json"), """
                    {"stream": "conformance", "region": "%s", "endpoint": "%s",
                     "accessKeyId": "AKIDCONFORMANCE", "secretAccessKey": "conformance-secret-1234"}
                    """.formatted(Kinesalite.REGION, kinesis.endpoint()));

            Cli result = Cli.run("conformance", "--plugin", jarOf(KinesisDestinationProvider.class).toString(),
                    "--settings", settings.toString(), "--without", "ORDERING_PER_PARTITION", "--timeout", "20s");

            assertThat(result.exitCode()).as(result.out() + result.err()).isZero();
            assertThat(result.out()).contains("PASS  discovery_serviceLoaderFindsProvider",
                    "PASS  settings_secretsNeverAppearInLogs", "PASS  settings_invalidValuesGivePerFieldErrors",
                    "SKIP  spec_unicodeDelivered: no target reader supplied");
            List<String> lines = result.out().lines().toList();
            assertThat(lines.get(lines.size() - 1)).matches("\\d+ passed, 0 failed, \\d+ skipped");
            assertThat(result.out() + result.err()).doesNotContain("conformance-secret-1234");
        }
    }

    @Test
    void aPluginThatBreaksARuleFailsWithTheCheckNamed() throws Exception {
        Path jar = PluginJars.provider(dir, "tiny.jar", "org.example.tiny", "TinyProvider", "tiny");
        Path settings = Files.writeString(dir.resolve("tiny.json"), "{}");

        Cli result = Cli.run("conformance", "--plugin", jar.toString(), "--settings", settings.toString(), "--timeout", "5s");

        assertThat(result.exitCode()).as(result.out() + result.err()).isEqualTo(1);
        assertThat(result.out()).contains("FAIL  settings_everyFieldIsDescribed");
    }

    @Test
    void argumentsAreChecked() {
        assertThat(Cli.run("conformance", "--plugin", "x.jar").exitCode()).isEqualTo(2);
        Cli missing = Cli.run("conformance", "--plugin", dir.resolve("missing.jar").toString(), "--settings", "s.json");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("no plugin jar or directory at");
        assertThat(Cli.run("conformance", "--help").out()).contains("--plugin=JAR|DIR", "--without=CAPABILITY");
    }

    /** The jar a class was loaded from; in an IDE or a module build that may be a classes folder, so jar it. */
    private Path jarOf(Class<?> type) throws IOException, URISyntaxException {
        Path location = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (Files.isRegularFile(location)) {
            return location;
        }
        Path jar = dir.resolve(type.getSimpleName() + ".jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar)); Stream<Path> files = Files.walk(location)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                out.putNextEntry(new JarEntry(location.relativize(file).toString().replace('\\', '/')));
                try (var in = Files.newInputStream(file)) {
                    in.transferTo((OutputStream) out);
                }
                out.closeEntry();
            }
        }
        return jar;
    }
}
