package io.sluice.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.sluice.conformance.memory.InMemoryDestination;
import io.sluice.conformance.memory.InMemoryProvider;
import io.sluice.conformance.memory.InMemoryTarget;
import io.sluice.spi.DestinationProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.EngineTestKit;

class ConformanceRunnerTest {

    private static final int CHECKS = 35;

    @TempDir
    Path dir;

    @Test
    void runsEveryCheckAgainstATargetWithAReader() throws Exception {
        ConformanceReport report;
        try (InMemoryTarget target = new InMemoryTarget()) {
            report = ConformanceRunner.forProvider(new InMemoryProvider()).target(target)
                    .timeout(Duration.ofSeconds(10)).run();
        }

        assertThat(report.checks()).hasSize(CHECKS)
                .allSatisfy(c -> assertThat(c.status()).as(c.name() + ": " + c.message())
                        .isEqualTo(ConformanceReport.Status.PASSED));
        assertThat(report.passed()).isTrue();
        assertThat(report.checks().get(0).name()).isEqualTo("discovery_serviceLoaderFindsProvider");
        assertThat(report.render()).startsWith("Sluice conformance suite: in-memory (In Memory)\n")
                .contains("PASS  spec_trackExampleDelivered\n")
                .endsWith(CHECKS + " passed, 0 failed, 0 skipped\n");
    }

    @Test
    void withoutAReaderSkipsTheChecksThatReadTheTargetAndRunsTheRest() throws Exception {
        ConformanceReport report;
        try (InMemoryTarget target = new InMemoryTarget()) {
            report = ConformanceRunner.forProvider(new InMemoryProvider()).settings(target.settings())
                    .timeout(Duration.ofSeconds(10)).run();
        }

        assertThat(report.checks()).hasSize(CHECKS);
        assertThat(report.count(ConformanceReport.Status.FAILED)).as(report.render()).isZero();
        assertThat(names(report, ConformanceReport.Status.PASSED))
                .as("checks that need no reader").contains("discovery_serviceLoaderFindsProvider",
                        "settings_secretsNeverAppearInLogs", "settings_invalidValuesGivePerFieldErrors");
        assertThat(report.checks()).filteredOn(c -> c.status() == ConformanceReport.Status.SKIPPED)
                .extracting(ConformanceReport.Check::name)
                .contains("spec_trackExampleDelivered", "spec_unicodeDelivered", "delivery_closeDeliversEverythingBuffered",
                        "delivery_retryableFailuresAreRetried")
                .allSatisfy(name -> assertThat(name).matches("(spec|delivery)_.*"));
        assertThat(report.checks()).filteredOn(c -> c.name().equals("spec_trackExampleDelivered")).singleElement()
                .satisfies(c -> assertThat(c.message()).startsWith("no target reader supplied"));
        assertThat(report.render()).contains("SKIP  spec_trackExampleDelivered: no target reader supplied");
        assertThat(report.passed()).isTrue();
    }

    @Test
    void reportsTheCheckABrokenDestinationFailsWithItsMessage() throws Exception {
        DestinationProvider leaky = InMemoryProvider.with(settings -> new InMemoryDestination(settings) {
            @Override
            public String toString() {
                return "Leaky{token=" + token.reveal() + "}";
            }
        });
        ConformanceReport report;
        try (InMemoryTarget target = new InMemoryTarget()) {
            report = ConformanceRunner.forProvider(leaky).target(target).timeout(Duration.ofSeconds(5)).run();
        }

        assertThat(names(report, ConformanceReport.Status.FAILED))
                .containsExactlyInAnyOrder("settings_secretsNeverAppearInToString", "settings_secretsNeverAppearInLogs");
        assertThat(report.passed()).isFalse();
        assertThat(report.render()).contains("FAIL  settings_secretsNeverAppearInToString\n")
                .contains("the value of secret setting 'apiToken' appears in Destination.toString()")
                .endsWith((CHECKS - 2) + " passed, 2 failed, 0 skipped\n");
    }

    @Test
    void optedOutCapabilitiesAreCheckedAndNoted() throws Exception {
        ConformanceReport report;
        try (InMemoryTarget target = new InMemoryTarget()) {
            report = ConformanceRunner.forProvider(new InMemoryProvider()).target(target)
                    .without(Capability.ORDERING_PER_PARTITION, Capability.BATCHING).run();
        }

        assertThat(report.checks()).filteredOn(c -> c.name().equals("delivery_orderPreservedPerPartition"))
                .singleElement().satisfies(c -> {
                    assertThat(c.status()).isEqualTo(ConformanceReport.Status.PASSED);
                    assertThat(c.notes()).singleElement().asString().startsWith("ORDERING_PER_PARTITION opted out");
                });
        // The reference batches, so its BATCHING opt-out is false, and the check says so.
        assertThat(report.checks()).filteredOn(c -> c.name().equals("delivery_batchAtMaxEvents")).singleElement()
                .satisfies(c -> {
                    assertThat(c.status()).isEqualTo(ConformanceReport.Status.FAILED);
                    assertThat(c.message()).contains("limits().maxEvents() of a destination without BATCHING");
                });
    }

    @Test
    void commandLineRunsAPluginJarWithASettingsFile() throws Exception {
        Path jar = pluginJar(InMemoryProvider.class.getName());
        Path settings = dir.resolve("settings.json");
        try (InMemoryTarget target = new InMemoryTarget()) {
            Files.writeString(settings, "{\"target\": \"" + target.settings().get("target") + "\", \"apiToken\": \"t0ken-from-file\"}");
            ByteArrayOutputStream printed = new ByteArrayOutputStream();

            int exit = ConformanceRunner.run(new String[] {"--plugin", jar.toString(), "--settings", settings.toString(),
                    "--timeout", "10"}, new PrintStream(printed, true, StandardCharsets.UTF_8));

            String out = printed.toString(StandardCharsets.UTF_8);
            assertThat(exit).as(out).isZero();
            assertThat(out).contains("PASS  discovery_serviceLoaderFindsProvider\n", "PASS  settings_secretsNeverAppearInLogs\n",
                    "SKIP  spec_unicodeDelivered: no target reader supplied");
            assertThat(out.lines().reduce((a, b) -> b).orElseThrow()).matches("\\d+ passed, 0 failed, \\d+ skipped");
        }
    }

    @Test
    void commandLineNamesWhatIsWrongWithItsArguments() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

        assertThat(ConformanceRunner.run(new String[] {"--plugin", "x.jar"}, out)).isEqualTo(2);
        assertThat(ConformanceRunner.run(new String[] {"--plugin", dir.resolve("missing.jar").toString(),
                "--settings", "s.json"}, out)).isEqualTo(2);
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("--plugin and --settings are required",
                "no plugin jar or directory at", "usage: --plugin JAR|DIR --settings FILE.json");
    }

    @Test
    void pluginJarsAreSearchedForTheirOwnProvidersOnly() throws Exception {
        Path empty = pluginJar();
        Path two = pluginJar(InMemoryProvider.class.getName(), TwinOfTheReference.class.getName());

        assertThatThrownBy(() -> ConformanceRunner.forPlugin(empty, Optional.empty()))
                .hasMessageContaining("lists no provider");
        assertThatThrownBy(() -> ConformanceRunner.forPlugin(two, Optional.empty()))
                .hasMessageContaining("several providers (in-memory, twin)");
        assertThat(ConformanceRunner.providersIn(ConformanceRunner.pluginClassLoader(two)))
                .extracting(DestinationProvider::id).containsExactly("in-memory", "twin");
        assertThat(ConformanceRunner.forPlugin(two, Optional.of("twin"))).isNotNull();
    }

    @Test
    void theRunnersSuiteClassIsDisabledOutsideTheRunner() {
        var results = EngineTestKit.engine("junit-jupiter").selectors(selectClass(PluginConformanceTest.class)).execute();

        assertThat(results.testEvents().started().count()).isZero();
        assertThat(results.containerEvents().skipped().count()).isEqualTo(1);
    }

    /** A second provider, for a plugin with two. */
    public static final class TwinOfTheReference extends InMemoryProvider {
        @Override
        public String id() {
            return "twin";
        }
    }

    private Path pluginJar(String... providers) throws IOException {
        Path jar = Files.createTempFile(dir, "plugin", ".jar");
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file)) {
            out.putNextEntry(new JarEntry("META-INF/services/" + DestinationProvider.class.getName()));
            out.write((String.join("\n", providers) + "\n").getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return jar;
    }

    private static Set<String> names(ConformanceReport report, ConformanceReport.Status status) {
        return report.checks().stream().filter(c -> c.status() == status).map(ConformanceReport.Check::name)
                .collect(Collectors.toSet());
    }
}
