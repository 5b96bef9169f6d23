package io.sluice.conformance.broken;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.sluice.conformance.Capability;
import io.sluice.conformance.DestinationConformanceTest;
import io.sluice.conformance.TestTarget;
import io.sluice.conformance.memory.InMemoryDestination;
import io.sluice.conformance.memory.InMemoryProvider;
import io.sluice.conformance.memory.InMemoryTarget;
import io.sluice.spi.DestinationProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * Proves the suite can fail: it runs the whole suite against each deliberately broken destination
 * (each one a nested suite class, run only from here) and asserts that exactly the checks that
 * should catch the flaw fail, and every other check passes.
 */
class BrokenDestinationsTest {

    /** Checks that depend on how the engine happened to batch a few events; see WrongOutcomeCount. */
    private static final Set<String> BATCHED_BY_TIMING = Set.of(
            "delivery_concurrentSendsFromEightThreadsExactlyOnce", "delivery_orderPreservedPerPartition",
            "delivery_retryableFailuresAreRetried", "spec_emptyPropertiesDelivered",
            "spec_disabledIntegrationsNotDelivered");

    static Stream<Arguments> brokenDestinations() {
        return Stream.of(
                // discovery
                arguments(UnlistedProvider.class, Set.of("discovery_serviceLoaderFindsProvider"), Set.of()),
                arguments(DuplicateId.class, Set.of("discovery_idsAreUnique"), Set.of()),
                arguments(BlankIntegrationName.class, Set.of("discovery_integrationNameIsSet"), Set.of()),
                // settings schema
                arguments(UndescribedSetting.class, Set.of("settings_everyFieldIsDescribed"), Set.of()),
                arguments(SecretTypedAsString.class, Set.of("settings_secretsAreTypedAsSecret"), Set.of()),
                arguments(DefaultBreaksItsRule.class, Set.of("settings_defaultsSatisfyTheirRules"), Set.of()),
                arguments(PatternNotEnforced.class, Set.of("settings_invalidValuesGivePerFieldErrors"), Set.of()),
                // The destination logs itself when it opens, so a toString leak is a log leak too.
                arguments(LeaksSecretInToString.class,
                        Set.of("settings_secretsNeverAppearInToString", "settings_secretsNeverAppearInLogs"), Set.of()),
                arguments(LogsSecret.class, Set.of("settings_secretsNeverAppearInLogs"), Set.of()),
                arguments(SecretInRejectionReason.class, Set.of("settings_secretsNeverAppearInErrors"), Set.of()),
                arguments(SecretEchoedByValidator.class, Set.of("settings_secretsNeverAppearInErrors"), Set.of()),
                // the Spec
                arguments(MangledUnicode.class, Set.of("spec_unicodeDelivered"), Set.of()),
                arguments(RoundsNumbers.class, Set.of("spec_numbersAtTheEdgesDelivered"), Set.of()),
                arguments(OmitsEmptyObjects.class, Set.of("spec_emptyPropertiesDelivered"), Set.of()),
                // The identify example sets "All": false and names the destination.
                arguments(RefiltersIntegrations.class,
                        Set.of("spec_disabledIntegrationsNotDelivered", "spec_identifyExampleDelivered"), Set.of()),
                // delivery: every check that hands one destination 25 events or more
                arguments(DropsAnEvent.class, Set.of("delivery_batchAtMaxEvents", "delivery_batchAtMaxBytes",
                        "delivery_concurrentSendsFromEightThreadsExactlyOnce", "delivery_closeDeliversEverythingBuffered",
                        "delivery_orderPreservedPerPartition"), Set.of()),
                // every check that makes a request of two or more events
                arguments(WrongOutcomeCount.class, Set.of("delivery_oneOutcomePerEvent", "delivery_batchAtMaxEvents",
                        "delivery_batchAtMaxBytes", "delivery_closeDeliversEverythingBuffered",
                        "delivery_retryableFailureReportedAsRetryable", "delivery_outcomesFollowBatchOrder",
                        "delivery_permanentFailureIsRejected"), BATCHED_BY_TIMING),
                arguments(SwallowsError.class, Set.of("delivery_retryableFailuresAreRetried",
                        "delivery_retryableFailureReportedAsRetryable", "delivery_permanentFailureIsRejected",
                        "health_configurationErrorIsReported"), Set.of()),
                // A refused configuration is retryable too (the events are kept), so this is caught there.
                arguments(RejectsRetryableFailure.class, Set.of("delivery_retryableFailuresAreRetried",
                        "delivery_retryableFailureReportedAsRetryable", "health_configurationErrorIsReported"), Set.of()),
                arguments(ThrowsOnServiceFailure.class, Set.of("delivery_retryableFailureReportedAsRetryable",
                        "delivery_permanentFailureIsRejected", "health_configurationErrorIsReported"), Set.of()),
                // Sending the failed batch again by hand is a retry too.
                arguments(SkipsRetriedEvents.class, Set.of("delivery_retryableFailuresAreRetried",
                        "delivery_retryableFailureReportedAsRetryable", "health_configurationErrorIsReported"), Set.of()),
                arguments(SwallowsOversizeEvent.class, Set.of("delivery_oversizeEventRejectedAndReported"), Set.of()),
                arguments(OverstatesByteLimit.class, Set.of("delivery_batchAtMaxBytes"), Set.of()),
                arguments(ReordersBatch.class, Set.of("delivery_orderPreservedPerPartition"), Set.of()),
                // It acknowledges before writing, so it never reports a failure either; and the direct
                // deliver() check closes the destination right after its request.
                arguments(LosesBufferOnClose.class, Set.of("delivery_closeDeliversEverythingBuffered",
                        "delivery_oneOutcomePerEvent", "delivery_retryableFailuresAreRetried",
                        "delivery_retryableFailureReportedAsRetryable", "delivery_outcomesFollowBatchOrder",
                        "delivery_permanentFailureIsRejected", "health_configurationErrorIsReported"), Set.of()),
                arguments(RotatesOutcomes.class, Set.of("delivery_outcomesFollowBatchOrder"), BATCHED_BY_TIMING),
                arguments(RetriesPermanentFailure.class, Set.of("delivery_permanentFailureIsRejected"), Set.of()),
                arguments(SilentAboutConfiguration.class, Set.of("health_configurationErrorIsReported"), Set.of()),
                arguments(BlocksInDeliver.class, Set.of("delivery_deliverReturnsWithoutWaiting"), Set.of()),
                // opt-outs that do not hold
                arguments(ClaimsNoBatching.class, Set.of("delivery_batchAtMaxEvents"), Set.of()),
                arguments(ClaimsNoRetryableErrors.class, Set.of("delivery_retryableFailuresAreRetried",
                        "delivery_retryableFailureReportedAsRetryable"), Set.of()),
                arguments(ClaimsNoOversizeRejection.class, Set.of("delivery_oversizeEventRejectedAndReported"), Set.of()),
                // and one that does: reordering is fine for a destination that does not promise order
                arguments(ReordersButOptsOutOfOrdering.class, Set.of(), Set.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenDestinations")
    void failsExactlyTheChecksThatCatchTheFlaw(Class<?> suite, Set<String> mustFail, Set<String> mayFail) {
        EngineExecutionResults results = EngineTestKit.engine("junit-jupiter").selectors(selectClass(suite)).execute();

        Map<String, String> failed = new TreeMap<>();
        results.testEvents().failed().stream().forEach(e -> failed.put(checkName(e), failureMessage(e)));
        Set<String> passed = results.testEvents().succeeded().stream().map(BrokenDestinationsTest::checkName)
                .collect(Collectors.toSet());

        assertThat(results.testEvents().aborted().count()).as("checks skipped").isZero();
        assertThat(results.testEvents().skipped().count()).as("checks disabled").isZero();
        assertThat(failed.size() + passed.size()).as("checks run").isEqualTo(checkNames().size());
        assertThat(failed.keySet()).as("checks that caught %s", suite.getSimpleName()).containsAll(mustFail);
        Set<String> unexpected = new HashSet<>(failed.keySet());
        unexpected.removeAll(mustFail);
        unexpected.removeAll(mayFail);
        assertThat(unexpected.stream().collect(Collectors.toMap(n -> n, failed::get)))
                .as("checks that failed although %s should pass them", suite.getSimpleName()).isEmpty();
    }

    @Test
    void everyCheckIsCaughtFailingByAtLeastOneBrokenDestination() {
        Set<String> caught = brokenDestinations()
                .flatMap(a -> ((Set<?>) a.get()[1]).stream())
                .map(String::valueOf)
                .collect(Collectors.toSet());
        Set<String> never = new HashSet<>(checkNames());
        never.removeAll(caught);
        // The first three the SPI guarantees (no plugin can give a required setting a default, make a
        // missing required setting pass, or put a secret's value into the JSON Schema), so no broken
        // destination can fail them. The rest share their failure modes with checks that are caught
        // above (a payload changed on the way, an event lost); they exist for the Spec's coverage.
        assertThat(never).containsExactlyInAnyOrder("settings_requiredFieldsHaveNoDefault",
                "settings_missingRequiredFieldsGivePerFieldErrors", "settings_secretsNeverAppearInJsonSchema",
                "spec_trackExampleDelivered", "spec_pageExampleDelivered", "spec_screenExampleDelivered",
                "spec_groupExampleDelivered", "spec_aliasExampleDelivered", "spec_commonFieldsExampleDelivered",
                "spec_deepNestingDelivered", "spec_32KbEventDelivered");
    }

    static Set<String> checkNames() {
        return Arrays.stream(DestinationConformanceTest.class.getDeclaredMethods())
                .filter(m -> m.isAnnotationPresent(Test.class))
                .map(Method::getName)
                .collect(Collectors.toSet());
    }

    private static String checkName(Event event) {
        return event.getTestDescriptor().getSource()
                .filter(org.junit.platform.engine.support.descriptor.MethodSource.class::isInstance)
                .map(s -> ((org.junit.platform.engine.support.descriptor.MethodSource) s).getMethodName())
                .orElse(event.getTestDescriptor().getDisplayName());
    }

    private static String failureMessage(Event event) {
        return event.getPayload(TestExecutionResult.class)
                .flatMap(TestExecutionResult::getThrowable)
                .map(t -> String.valueOf(t.getMessage()))
                .orElse("");
    }

    // ---------------------------------------------------------------- the suite bound to each flaw

    /** The suite against the in-memory target; each subclass picks a broken provider. */
    @Tag("broken")
    abstract static class BrokenSuite extends DestinationConformanceTest {
        @Override
        protected TestTarget createTarget() {
            return new InMemoryTarget();
        }

        @Override
        protected Duration timeout() {
            return Duration.ofSeconds(2);
        }
    }

    static final class UnlistedProvider extends BrokenSuite {
        @Override
        protected DestinationProvider provider() {
            return new BrokenDestinations.UnlistedProvider();
        }
    }

    static final class DuplicateId extends BrokenSuite {
        private static final ClassLoader WITH_TWIN = loaderListing(TwinProvider.class);

        @Override
        protected DestinationProvider provider() {
            return new InMemoryProvider();
        }

        @Override
        protected ClassLoader pluginClassLoader() {
            return WITH_TWIN;
        }
    }

    static final class BlankIntegrationName extends BrokenSuite {
        @Override
        protected DestinationProvider provider() {
            return new InMemoryProvider("", InMemoryProvider.SCHEMA, InMemoryDestination::new);
        }
    }

    static final class UndescribedSetting extends BrokenSuite {
        @Override
        protected DestinationProvider provider() {
            return withSchema(InMemoryProvider.schemaWith(BrokenDestinations.UNDESCRIBED));
        }
    }

    static final class SecretTypedAsString extends BrokenSuite {
        @Override
        protected DestinationProvider provider() {
            return withSchema(InMemoryProvider.schemaWith(BrokenDestinations.TOKEN_AS_STRING));
        }
    }

    static final class DefaultBreaksItsRule extends BrokenSuite {
        @Override
        protected DestinationProvider provider() {
            return withSchema(InMemoryProvider.schemaWith(BrokenDestinations.DEFAULT_BREAKS_RULE));
        }
    }

    static final class PatternNotEnforced extends BrokenSuite {
        @Override
        protected DestinationProvider provider() {
            return withSchema(InMemoryProvider.schemaWith(BrokenDestinations.PATTERN_NOT_ENFORCED));
        }
    }

    static final class SecretEchoedByValidator extends BrokenSuite {
        @Override
        protected DestinationProvider provider() {
            return withSchema(InMemoryProvider.schemaWith(BrokenDestinations.SECRET_ECHOED_BY_RULE));
        }
    }

    static final class LeaksSecretInToString extends BrokenSuite {
        @Override
        protected DestinationProvider provider() {
            return InMemoryProvider.with(BrokenDestinations.LeaksSecretInToString::new);
        }
    }

    static final class LogsSecret extends BrokenSuite {
        @Override
        protected DestinationProvider provider() {
            return InMemoryProvider.with(BrokenDestinations.LogsSecret::new);
        }
    }

    static final class SecretInRejectionReason extends BrokenSuite {
        @Override
        protected DestinationProvider provider() {
            return InMemoryProvider.with(BrokenDestinations.SecretInRejectionReason::new);
        }
    }

    static final class MangledUnicode extends BrokenSuite {
        @Override
        protected DestinationProvider provider() {
            return InMemoryProvider.with(BrokenDestinations.MangledUnicode::new);
        }
    }

    static final class RoundsNumbers extends BrokenSuite {
        @Override
        protected DestinationProvider provider() {
            return InMemoryProvider.with(BrokenDestinations.RoundsNumbers::new);
        }
    }

    static final class OmitsEmptyObjects extends BrokenSuite {
        @Override
        protected DestinationProvider provider() {
            return InMemoryProvider.with(BrokenDestinations.OmitsEmptyObjects::new);
        }
    }

    static final class RefiltersIntegrations extends BrokenSuite {
        @Override
        protected DestinationProvider provider() {
            return InMemoryProvider.with(BrokenDestinations.RefiltersIntegrations::new);
        }
    }

    static final class DropsAnEvent extends BrokenSuite {
        @Override
        protected DestinationProvider provider() {
            return InMemoryProvider.with(BrokenDestinations.DropsAnEvent::new);
        }
    }

    static final class WrongOutcomeCount extends BrokenSuite {
        @Override
        protected DestinationProvider provider() {
            return InMemoryProvider.with(BrokenDestinations.WrongOutcomeCount::new);
        }
    }

    static final class SwallowsError extends BrokenSuite {
        @Override
        protected DestinationProvider provider() {
            return InMemoryProvider.with(BrokenDestinations.SwallowsError::new);
        }
    }

    static final class RejectsRetryableFailure extends BrokenSuite {
        @Override
        protected DestinationProvider provider() {
            return InMemoryProvider.with(BrokenDestinations.RejectsRetryableFailure::new);
        }
    }

    static final class ThrowsOnServiceFailure extends BrokenSuite {
        @Override
        protected DestinationProvider provider() {
            return InMemoryProvider.with(BrokenDestinations.ThrowsOnServiceFailure::new);
        }
    }

    static final class SkipsRetriedEvents extends BrokenSuite {
        @Override
        protected DestinationProvider provider() {
            return InMemoryProvider.with(BrokenDestinations.SkipsRetriedEvents::new);
        }
    }

    static final class SwallowsOversizeEvent extends BrokenSuite {
        @Override
        protected DestinationProvider provider() {
            return InMemoryProvider.with(BrokenDestinations.SwallowsOversizeEvent::new);
        }
    }

    static final class OverstatesByteLimit extends BrokenSuite {
        @Override
        protected DestinationProvider provider() {
            return InMemoryProvider.with(BrokenDestinations.OverstatesByteLimit::new);
        }
    }

    static final class ReordersBatch extends BrokenSuite {
        @Override
        protected DestinationProvider provider() {
            return InMemoryProvider.with(BrokenDestinations.ReordersBatch::new);
        }
    }

    static final class LosesBufferOnClose extends BrokenSuite {
        @Override
        protected DestinationProvider provider() {
            return InMemoryProvider.with(BrokenDestinations.LosesBufferOnClose::new);
        }
    }

    static final class ClaimsNoBatching extends BrokenSuite {
        @Override
        protected DestinationProvider provider() {
            return new InMemoryProvider();
        }

        @Override
        protected boolean hasBehavior(Capability capability) {
            return capability != Capability.BATCHING;
        }
    }

    static final class RotatesOutcomes extends BrokenSuite {
        @Override
        protected DestinationProvider provider() {
            return InMemoryProvider.with(BrokenDestinations.RotatesOutcomes::new);
        }
    }

    static final class RetriesPermanentFailure extends BrokenSuite {
        @Override
        protected DestinationProvider provider() {
            return InMemoryProvider.with(BrokenDestinations.RetriesPermanentFailure::new);
        }
    }

    static final class SilentAboutConfiguration extends BrokenSuite {
        @Override
        protected DestinationProvider provider() {
            return InMemoryProvider.with(BrokenDestinations.SilentAboutConfiguration::new);
        }
    }

    static final class BlocksInDeliver extends BrokenSuite {
        @Override
        protected DestinationProvider provider() {
            return InMemoryProvider.with(BrokenDestinations.BlocksInDeliver::new);
        }
    }

    static final class ClaimsNoRetryableErrors extends BrokenSuite {
        @Override
        protected DestinationProvider provider() {
            return new InMemoryProvider();
        }

        @Override
        protected boolean hasBehavior(Capability capability) {
            return capability != Capability.RETRYABLE_ERRORS;
        }
    }

    static final class ClaimsNoOversizeRejection extends BrokenSuite {
        @Override
        protected DestinationProvider provider() {
            return new InMemoryProvider();
        }

        @Override
        protected boolean hasBehavior(Capability capability) {
            return capability != Capability.REJECTING_OVERSIZE_EVENTS;
        }
    }

    static final class ReordersButOptsOutOfOrdering extends BrokenSuite {
        @Override
        protected DestinationProvider provider() {
            return InMemoryProvider.with(BrokenDestinations.ReordersBatch::new);
        }

        @Override
        protected boolean hasBehavior(Capability capability) {
            return switch (capability) {
                case ORDERING_PER_PARTITION -> false;
                default -> true;
            };
        }
    }

    private static InMemoryProvider withSchema(io.sluice.spi.settings.SettingsSchema schema) {
        return new InMemoryProvider(InMemoryProvider.INTEGRATION_NAME, schema, InMemoryDestination::new);
    }

    /** A loader that also sees a services file listing {@code provider} (besides the test classpath's). */
    private static ClassLoader loaderListing(Class<? extends DestinationProvider> provider) {
        try {
            Path dir = Files.createTempDirectory("conformance-twin");
            Path services = dir.resolve("META-INF/services/" + DestinationProvider.class.getName());
            Files.createDirectories(services.getParent());
            Files.writeString(services, provider.getName() + "\n");
            dir.toFile().deleteOnExit();
            return new URLClassLoader(new URL[] {dir.toUri().toURL()}, BrokenDestinationsTest.class.getClassLoader());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
