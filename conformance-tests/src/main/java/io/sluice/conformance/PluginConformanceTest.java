package io.sluice.conformance;

import io.sluice.spi.DestinationProvider;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestInstancePostProcessor;

/**
 * The suite bound to whatever {@link ConformanceRunner} hands it: a provider from a plugin and
 * settings from a file (read back with the plugin's own reader, where it has one), or a target. It runs only through the runner, which names its session in a JUnit
 * configuration parameter; found any other way, it is disabled.
 */
@ExtendWith(PluginConformanceTest.Bind.class)
final class PluginConformanceTest extends DestinationConformanceTest {

    private ConformanceRunner.Session session;

    @Override
    protected DestinationProvider provider() {
        return session.provider();
    }

    @Override
    protected TestTarget createTarget() {
        TestTarget shared = session.target();
        // The runner owns the target; checks share it and must not close it.
        return new TestTarget() {
            @Override
            public Map<String, Object> settings() {
                return shared.settings();
            }

            @Override
            public java.util.List<byte[]> received() throws Exception {
                return shared.received();
            }

            @Override
            public void injectRetryableFailures(int requests) {
                shared.injectRetryableFailures(requests);
            }

            @Override
            public void injectRecordFailures(java.util.Set<String> messageIds) {
                shared.injectRecordFailures(messageIds);
            }

            @Override
            public void injectPermanentFailures(int requests) {
                shared.injectPermanentFailures(requests);
            }

            @Override
            public void injectConfigurationFailures(int requests) {
                shared.injectConfigurationFailures(requests);
            }

            @Override
            public void delayResponses(int requests, Duration delay) {
                shared.delayResponses(requests, delay);
            }

            @Override
            public void close() {}
        };
    }

    @Override
    protected boolean hasBehavior(Capability capability) {
        return !session.without().contains(capability);
    }

    @Override
    protected Duration timeout() {
        return session.timeout();
    }

    @Override
    protected ClassLoader pluginClassLoader() {
        return session.classLoader();
    }

    @Override
    boolean targetAvailable() {
        return session.canRead();
    }

    @Override
    boolean canInjectFailures() {
        return session.canInject();
    }

    /** Hands each test instance its session; disables the class outside the runner. */
    static final class Bind implements TestInstancePostProcessor, ExecutionCondition {

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return session(context).isPresent()
                    ? ConditionEvaluationResult.enabled("run by ConformanceRunner")
                    : ConditionEvaluationResult.disabled("runs only through ConformanceRunner");
        }

        @Override
        public void postProcessTestInstance(Object testInstance, ExtensionContext context) {
            ((PluginConformanceTest) testInstance).session = session(context)
                    .orElseThrow(() -> new IllegalStateException("no ConformanceRunner session"));
        }

        private static Optional<ConformanceRunner.Session> session(ExtensionContext context) {
            return context.getConfigurationParameter(ConformanceRunner.SESSION_PARAMETER)
                    .flatMap(ConformanceRunner::session);
        }
    }
}
