package io.sluice.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.sluice.conformance.memory.InMemoryDestination;
import io.sluice.conformance.memory.InMemoryProvider;
import io.sluice.conformance.memory.InMemoryTarget;
import io.sluice.spi.DestinationProvider;
import io.sluice.spi.read.ArrivalReader;
import io.sluice.spi.read.ReadFrom;
import io.sluice.spi.settings.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.EngineTestKit;

class ConformanceRunnerTest {

    private static final int CHECKS = 39;

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
    void fromSettingsThePluginsReaderReadsTheTargetBackAndOnlyInjectedFailuresAreSkipped() throws Exception {
        ConformanceReport report;
        try (InMemoryTarget target = new InMemoryTarget()) {
            report = ConformanceRunner.forProvider(new InMemoryProvider()).settings(target.settings())
                    .timeout(Duration.ofSeconds(10)).run();
        }

        assertThat(report.checks()).hasSize(CHECKS);
        assertThat(report.count(ConformanceReport.Status.FAILED)).as(report.render()).isZero();
        assertThat(names(report, ConformanceReport.Status.PASSED)).as("read back through InMemoryProvider.reader")
                .contains("spec_trackExampleDelivered", "spec_unicodeDelivered", "delivery_closeDeliversEverythingBuffered",
                        "delivery_oversizeEventRejectedAndReported", "delivery_deliverReturnsWithoutWaiting");
        assertThat(names(report, ConformanceReport.Status.SKIPPED)).containsExactlyInAnyOrder(
                "delivery_retryableFailuresAreRetried", "delivery_retryableFailureReportedAsRetryable",
                "delivery_outcomesFollowBatchOrder", "delivery_permanentFailureIsRejected",
                "health_configurationErrorIsReported");
        assertThat(report.checks()).filteredOn(c -> c.status() == ConformanceReport.Status.SKIPPED)
                .allSatisfy(c -> assertThat(c.message()).startsWith("the test target cannot inject failures"));
        assertThat(report.passed()).as("a skipped check is not a pass").isFalse();
        assertThat(report.render()).contains("NOT PROVEN: 5 check(s) did not run");
    }

    @Test
    void fromSettingsWithTheInjectedFailuresOptedOutEveryCheckRunsAndPasses() throws Exception {
        ConformanceReport report;
        try (InMemoryTarget target = new InMemoryTarget()) {
            report = ConformanceRunner.forProvider(new InMemoryProvider()).settings(target.settings())
                    .without(Capability.RETRYABLE_ERRORS, Capability.PARTIAL_FAILURES, Capability.PERMANENT_ERRORS,
                            Capability.CONFIGURATION_ERRORS)
                    .timeout(Duration.ofSeconds(10)).run();
        }

        assertThat(report.passed()).as(report.render()).isTrue();
        assertThat(report.render()).endsWith(CHECKS + " passed, 0 failed, 0 skipped\n").contains("opted out");
    }

    @Test
    void withoutAReaderSkipsTheChecksThatReadTheTargetAndSaysWhy() throws Exception {
        DestinationProvider unreadable = new InMemoryProvider() {
            @Override
            public Optional<ArrivalReader> reader(Settings settings, ReadFrom from) {
                return Optional.empty();
            }
        };
        ConformanceReport report;
        try (InMemoryTarget target = new InMemoryTarget()) {
            report = ConformanceRunner.forProvider(unreadable).settings(target.settings())
                    .timeout(Duration.ofSeconds(10)).run();
        }

        assertThat(report.checks()).hasSize(CHECKS);
        // An anonymous provider is listed in no services file, so only the discovery checks fail.
        assertThat(names(report, ConformanceReport.Status.FAILED)).as(report.render())
                .containsExactlyInAnyOrder("discovery_serviceLoaderFindsProvider", "discovery_idsAreUnique");
        assertThat(names(report, ConformanceReport.Status.PASSED))
                .as("checks that need no reader").contains("discovery_integrationNameIsSet",
                        "settings_secretsNeverAppearInLogs", "settings_invalidValuesGivePerFieldErrors");
        assertThat(report.checks()).filteredOn(c -> c.name().equals("spec_trackExampleDelivered")).singleElement()
                .satisfies(c -> assertThat(c.message()).startsWith("no target reader supplied")
                        .contains("DestinationProvider.reader"));
        assertThat(report.render()).contains("SKIP  spec_trackExampleDelivered: no target reader supplied");
        assertThat(report.passed()).isFalse();
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
    void theRunnersSuiteClassIsDisabledOutsideTheRunner() {
        var results = EngineTestKit.engine("junit-jupiter").selectors(selectClass(PluginConformanceTest.class)).execute();

        assertThat(results.testEvents().started().count()).isZero();
        assertThat(results.containerEvents().skipped().count()).isEqualTo(1);
    }

    private static Set<String> names(ConformanceReport report, ConformanceReport.Status status) {
        return report.checks().stream().filter(c -> c.status() == status).map(ConformanceReport.Check::name)
                .collect(Collectors.toSet());
    }
}
