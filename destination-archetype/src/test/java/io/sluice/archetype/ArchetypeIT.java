package io.sluice.archetype;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a plugin author does, from an empty folder: generate a project from the archetype, build it
 * with {@code mvn verify} (which runs the conformance suite), and drop its jar into Sluice's
 * plugins folder.
 *
 * <p>The build runs Maven as a child process with a private local repository under target/,
 * seeded with this build's own artifacts (copied into the repository layout, never installed into
 * ~/.m2); everything else is read from ~/.m2 ({@code maven.repo.local.tail}) or Maven Central.
 */
class ArchetypeIT {

    static final String VERSION = System.getProperty("sluice.version");
    static final String ARCHETYPE_PLUGIN = System.getProperty("archetype.plugin.version");
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path REPOSITORY = Path.of("target", "it-repository").toAbsolutePath();

    @TempDir
    Path work;

    @Test
    void aGeneratedProjectPassesTheSuiteAndItsJarDropsIntoPlugins() throws Exception {
        seedRepository();

        Run generate = maven(work, "org.apache.maven.plugins:maven-archetype-plugin:" + ARCHETYPE_PLUGIN + ":generate",
                "-DinteractiveMode=false",
                "-DarchetypeGroupId=io.sluice", "-DarchetypeArtifactId=sluice-destination-archetype",
                "-DarchetypeVersion=" + VERSION,
                "-DgroupId=com.example", "-DartifactId=acme-destination", "-Dversion=1.0.0-SNAPSHOT",
                "-Dpackage=com.example.acme");
        assertThat(generate.exitCode()).as(generate.output()).isZero();
        Path project = work.resolve("acme-destination");
        assertThat(project.resolve("README.md")).content().contains("acme-destination").doesNotContain("${");
        assertThat(project.resolve("pom.xml")).content()
                .contains("<artifactId>sluice-spi</artifactId>\n      <version>${sluice.version}</version>\n      <scope>provided</scope>")
                .contains("<sluice.version>" + VERSION + "</sluice.version>");
        assertThat(project.resolve("src/main/java/com/example/acme/WebhookDestinationProvider.java")).exists();

        Run verify = maven(project, "verify");

        assertThat(verify.exitCode()).as(verify.output()).isZero();
        assertThat(verify.output()).contains("Tests run: 39, Failures: 0, Errors: 0, Skipped: 0");
        Path jar = project.resolve("target/acme-destination-1.0.0-SNAPSHOT.jar");
        try (JarFile file = new JarFile(jar.toFile())) {
            assertThat(file.getEntry("META-INF/services/io.sluice.spi.DestinationProvider")).isNotNull();
            assertThat(file.stream().map(e -> e.getName()).filter(n -> n.startsWith("io/sluice/"))).as("no SPI inside").isEmpty();
        }

        Path plugins = Files.createDirectory(work.resolve("plugins"));
        Files.copy(jar, plugins.resolve(jar.getFileName()));
        Run destinations = java(ROOT.resolve("runner/target/sluice.jar"), "destinations", "--plugins", plugins.toString());

        assertThat(destinations.exitCode()).as(destinations.output()).isZero();
        assertThat(destinations.output()).contains("ndjson-webhook  (integrations key \"NDJSON Webhook\", " + plugins.resolve(jar.getFileName()))
                .contains("apiKey").contains("headers");
    }

    /** This build's artifacts, laid out as a local repository holds them. */
    private static void seedRepository() throws IOException {
        copy(ROOT.resolve("pom.xml"), "sluice-parent", "pom");
        for (String[] module : new String[][] {{"spi", "sluice-spi"}, {"core", "sluice-core"},
                {"conformance-tests", "sluice-conformance-tests"}, {"destination-archetype", "sluice-destination-archetype"}}) {
            copy(ROOT.resolve(module[0]).resolve("pom.xml"), module[1], "pom");
            copy(ROOT.resolve(module[0]).resolve("target").resolve(module[1] + "-" + VERSION + ".jar"), module[1], "jar");
        }
    }

    private static void copy(Path file, String artifactId, String extension) throws IOException {
        assertThat(file).as("built by this reactor before the archetype").isRegularFile();
        Path dir = Files.createDirectories(REPOSITORY.resolve("io/sluice").resolve(artifactId).resolve(VERSION));
        Files.copy(file, dir.resolve(artifactId + "-" + VERSION + "." + extension),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    record Run(int exitCode, String output) {}

    private Run maven(Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(ROOT.resolve("mvnw").toString(), "-B",
                "-Dmaven.repo.local=" + REPOSITORY,
                "-Dmaven.repo.local.tail=" + Path.of(System.getProperty("user.home"), ".m2", "repository")));
        command.addAll(List.of(args));
        return run(dir, command);
    }

    private Run java(Path jar, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString()));
        command.addAll(List.of(args));
        return run(work, command);
    }

    private Run run(Path dir, List<String> command) throws Exception {
        Path log = Files.createTempFile(work, "run", ".log");
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!process.waitFor(15, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("did not finish in 15 minutes: " + command);
        }
        return new Run(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }
}
