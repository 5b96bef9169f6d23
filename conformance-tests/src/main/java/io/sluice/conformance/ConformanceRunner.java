package io.sluice.conformance;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.spi.DestinationProvider;
import io.sluice.spi.read.Arrival;
import io.sluice.spi.read.ArrivalReader;
import io.sluice.spi.read.ReadFrom;
import io.sluice.spi.settings.Settings;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.EngineFilter;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs the conformance suite outside Maven, through the JUnit Platform Launcher, against a provider
 * and settings handed to it: the engine behind {@code sluice conformance --plugin JAR --settings FILE}
 * (the command line, and the loading of the plugin, are the runner's).
 *
 * <pre>{@code
 * ConformanceReport report = ConformanceRunner.forProvider(provider)
 *         .settings(ConformanceRunner.readSettings(Path.of("kinesis.json")))
 *         .run();
 * System.out.print(report.render());
 * }</pre>
 *
 * <p>With settings, the target is read back through the provider's own
 * {@link DestinationProvider#reader reader}, when it offers one; without one, the checks that read
 * the target are reported {@code SKIPPED} with the reason. Settings alone cannot make the target
 * fail on purpose, so the checks that inject failures are skipped too, unless their capability is
 * opted out. Hand over a {@link TestTarget} instead to run everything. Every check shares the one target.
 */
public final class ConformanceRunner {

    /** The JUnit configuration parameter that names a run's session. */
    static final String SESSION_PARAMETER = "sluice.conformance.session";

    private static final Map<String, Session> SESSIONS = new ConcurrentHashMap<>();

    /** What one run hands the suite. */
    record Session(DestinationProvider provider, TestTarget target, boolean canRead, boolean canInject,
                   Set<Capability> without, Duration timeout, ClassLoader classLoader) {}

    private final DestinationProvider provider;
    private ClassLoader classLoader;
    private TestTarget target;
    private Map<String, Object> settings;
    private final Set<Capability> without = EnumSet.noneOf(Capability.class);
    private Duration timeout = Duration.ofSeconds(20);

    private ConformanceRunner(DestinationProvider provider) {
        this.provider = Objects.requireNonNull(provider, "provider");
        this.classLoader = provider.getClass().getClassLoader();
    }

    /** A run against {@code provider}; give it {@link #settings} or a {@link #target}. */
    public static ConformanceRunner forProvider(DestinationProvider provider) {
        return new ConformanceRunner(provider);
    }

    /** Settings for the target, read back with the provider's reader where it has one. */
    public ConformanceRunner settings(Map<String, ?> raw) {
        this.settings = Collections.unmodifiableMap(new LinkedHashMap<>(raw));
        this.target = null;
        return this;
    }

    /** A target with its reader (and failure injection, where it has it): every check runs. Not closed by the run. */
    public ConformanceRunner target(TestTarget target) {
        this.target = Objects.requireNonNull(target, "target");
        this.settings = null;
        return this;
    }

    /** Capabilities the destination does not have; each check asserts the "not supported" behaviour instead. */
    public ConformanceRunner without(Capability... capabilities) {
        without.addAll(List.of(capabilities));
        return this;
    }

    /** How long a check waits for outcomes and arrivals; 20 seconds unless set. */
    public ConformanceRunner timeout(Duration value) {
        this.timeout = Objects.requireNonNull(value, "timeout");
        return this;
    }

    /** The loader the discovery checks search with {@code ServiceLoader}; the provider's own unless set. */
    public ConformanceRunner classLoader(ClassLoader loader) {
        this.classLoader = Objects.requireNonNull(loader, "classLoader");
        return this;
    }

    /** Runs every check and returns the report; prints nothing. */
    public ConformanceReport run() {
        if (target == null && settings == null) {
            throw new IllegalStateException("give the run settings(...) or a target(...)");
        }
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        Optional<ArrivalReader> reader = Optional.empty();
        String key = UUID.randomUUID().toString();
        // The launcher finds its test engine through the context class loader: ours, since a plugin's
        // own loader shares nothing but the SPI. The checks then run with the plugin's, as serve runs it.
        thread.setContextClassLoader(ConformanceRunner.class.getClassLoader());
        try (LauncherSession launcher = LauncherFactory.openSession()) {
            thread.setContextClassLoader(classLoader);
            Session session;
            if (target != null) {
                session = new Session(provider, target, true, true, EnumSet.copyOf(without), timeout, classLoader);
            } else {
                reader = openReader(settings);
                session = new Session(provider, new ReaderTarget(settings, reader), reader.isPresent(), false,
                        EnumSet.copyOf(without), timeout, classLoader);
            }
            SESSIONS.put(key, session);
            LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                    .selectors(DiscoverySelectors.selectClass(PluginConformanceTest.class))
                    .filters(EngineFilter.includeEngines("junit-jupiter"))
                    .configurationParameter(SESSION_PARAMETER, key)
                    .configurationParameter("junit.jupiter.execution.parallel.enabled", "false")
                    .build();
            Collector collector = new Collector();
            launcher.getLauncher().execute(request, collector);
            return new ConformanceReport(provider.id() + " (" + provider.integrationName() + ")", collector.checks());
        } finally {
            reader.ifPresent(ArrivalReader::close);
            thread.setContextClassLoader(previous);
            SESSIONS.remove(key);
        }
    }

    /** The provider's reader for these settings, from the start of what the target holds; none when the settings are invalid. */
    private Optional<ArrivalReader> openReader(Map<String, Object> raw) {
        Settings parsed;
        try {
            parsed = provider.settingsSchema().parse(raw);
        } catch (RuntimeException e) {
            return Optional.empty(); // the settings checks say what is wrong
        }
        return provider.reader(parsed, ReadFrom.EARLIEST);
    }

    static Optional<Session> session(String key) {
        return Optional.ofNullable(SESSIONS.get(key));
    }

    /** Raw settings from a JSON file holding one object, e.g. {@code {"stream": "events", "region": "us-east-1"}}. */
    public static Map<String, Object> readSettings(Path file) throws IOException {
        return new ObjectMapper().readValue(file.toFile(), new TypeReference<LinkedHashMap<String, Object>>() {});
    }

    /** Settings, and what the plugin's reader has read so far: it cannot make the target fail. */
    private static final class ReaderTarget implements TestTarget {
        private final Map<String, Object> settings;
        private final Optional<ArrivalReader> reader;
        private final List<byte[]> seen = new ArrayList<>();

        ReaderTarget(Map<String, Object> settings, Optional<ArrivalReader> reader) {
            this.settings = settings;
            this.reader = reader;
        }

        @Override
        public Map<String, Object> settings() {
            return settings;
        }

        @Override
        public synchronized List<byte[]> received() throws InterruptedException {
            ArrivalReader r = reader.orElseThrow(() -> new UnsupportedOperationException(DestinationConformanceTest.NO_READER));
            for (Arrival arrival : r.poll(Duration.ofMillis(200))) {
                seen.add(arrival.event());
            }
            return List.copyOf(seen);
        }
    }

    /** Turns the launcher's events into checks, in the order they ran. */
    private static final class Collector implements TestExecutionListener {
        private final Map<String, List<String>> notes = new ConcurrentHashMap<>();
        private final List<ConformanceReport.Check> checks = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void reportingEntryPublished(TestIdentifier test, ReportEntry entry) {
            entry.getKeyValuePairs().forEach((k, v) ->
                    notes.computeIfAbsent(test.getUniqueId(), id -> new ArrayList<>()).add(v));
        }

        @Override
        public void executionSkipped(TestIdentifier test, String reason) {
            if (test.isTest()) {
                checks.add(new ConformanceReport.Check(name(test), ConformanceReport.Status.SKIPPED, reason, List.of()));
            } else if (test.getSource().isPresent()) {
                checks.add(new ConformanceReport.Check(test.getDisplayName(), ConformanceReport.Status.SKIPPED, reason,
                        List.of()));
            }
        }

        @Override
        public void executionFinished(TestIdentifier test, TestExecutionResult result) {
            boolean failedContainer = !test.isTest() && result.getStatus() == TestExecutionResult.Status.FAILED
                    && test.getSource().isPresent();
            if (!test.isTest() && !failedContainer) {
                return;
            }
            ConformanceReport.Status status = switch (result.getStatus()) {
                case SUCCESSFUL -> ConformanceReport.Status.PASSED;
                case FAILED -> ConformanceReport.Status.FAILED;
                case ABORTED -> ConformanceReport.Status.SKIPPED;
            };
            String message = result.getThrowable().map(ConformanceRunner::describe).orElse("");
            checks.add(new ConformanceReport.Check(failedContainer ? "suite setup" : name(test), status, message,
                    notes.getOrDefault(test.getUniqueId(), List.of())));
        }

        List<ConformanceReport.Check> checks() {
            return List.copyOf(checks);
        }

        private static String name(TestIdentifier test) {
            return test.getSource().filter(MethodSource.class::isInstance).map(s -> ((MethodSource) s).getMethodName())
                    .orElse(test.getDisplayName());
        }
    }

    private static String describe(Throwable t) {
        String message = t.getMessage();
        String text = message == null || message.isBlank() ? t.toString() : message.strip();
        if (!(t instanceof AssertionError) && !(t instanceof org.opentest4j.TestAbortedException) && message != null) {
            text = t.getClass().getSimpleName() + ": " + text;
        }
        return text;
    }
}
