package io.sluice.conformance;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.spi.DestinationProvider;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.EngineFilter;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Runs the conformance suite outside Maven, through the JUnit Platform Launcher, against a provider
 * and settings handed to it: the engine behind {@code sluice conformance --plugin JAR --settings FILE}
 * (the command line itself is the runner's).
 *
 * <pre>{@code
 * ConformanceReport report = ConformanceRunner.forPlugin(Path.of("sluice-kinesis.jar"), Optional.empty())
 *         .settings(ConformanceRunner.readSettings(Path.of("kinesis.json")))
 *         .run();
 * System.out.print(report.render());
 * }</pre>
 *
 * <p>With settings alone there is no way to read the target back: the checks that need to read
 * it are reported {@code SKIPPED} with the reason "no target reader supplied", and every other
 * check (discovery, settings, secret leaks, outcomes the engine sees) runs. Hand over a
 * {@link TestTarget} instead to run everything. Every check shares the one target.
 */
public final class ConformanceRunner {

    /** The JUnit configuration parameter that names a run's session. */
    static final String SESSION_PARAMETER = "sluice.conformance.session";

    private static final String SERVICES = "META-INF/services/" + DestinationProvider.class.getName();
    private static final Map<String, Session> SESSIONS = new ConcurrentHashMap<>();

    /** What one run hands the suite. */
    record Session(DestinationProvider provider, TestTarget target, boolean targetAvailable,
                   Set<Capability> without, Duration timeout, ClassLoader classLoader) {}

    private final DestinationProvider provider;
    private ClassLoader classLoader;
    private TestTarget target;
    private boolean targetAvailable;
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

    /**
     * A run against the provider a plugin lists in {@code META-INF/services}: {@code plugin} is a
     * jar, or a directory of jars (the plugin and its libraries). With several providers in the
     * plugin, {@code providerId} picks one.
     *
     * @throws IllegalArgumentException when the plugin has no provider, or several and no (or no matching) id
     */
    public static ConformanceRunner forPlugin(Path plugin, Optional<String> providerId) {
        URLClassLoader loader = pluginClassLoader(plugin);
        List<DestinationProvider> providers = providersIn(loader);
        if (providers.isEmpty()) {
            throw new IllegalArgumentException(plugin + " lists no provider in " + SERVICES);
        }
        String ids = providers.stream().map(DestinationProvider::id).collect(Collectors.joining(", "));
        DestinationProvider chosen;
        if (providerId.isPresent()) {
            chosen = providers.stream().filter(p -> p.id().equals(providerId.get())).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException(
                            plugin + " has no provider with id " + providerId.get() + "; it has " + ids));
        } else if (providers.size() == 1) {
            chosen = providers.get(0);
        } else {
            throw new IllegalArgumentException(plugin + " has several providers (" + ids + "); name one");
        }
        return forProvider(chosen).classLoader(loader);
    }

    /** Settings for the target, with no reader for it: read-back checks are skipped. */
    public ConformanceRunner settings(Map<String, ?> raw) {
        Map<String, Object> copy = Collections.unmodifiableMap(new LinkedHashMap<>(raw));
        this.target = new TestTarget() {
            @Override
            public Map<String, Object> settings() {
                return copy;
            }

            @Override
            public List<byte[]> received() {
                throw new UnsupportedOperationException("no target reader supplied");
            }

            @Override
            public void close() {}
        };
        this.targetAvailable = false;
        return this;
    }

    /** A target with its reader (and failure injection, where it has it): every check runs. Not closed by the run. */
    public ConformanceRunner target(TestTarget target) {
        this.target = Objects.requireNonNull(target, "target");
        this.targetAvailable = true;
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
        if (target == null) {
            throw new IllegalStateException("give the run settings(...) or a target(...)");
        }
        String key = UUID.randomUUID().toString();
        SESSIONS.put(key, new Session(provider, target, targetAvailable, EnumSet.copyOf(without), timeout,
                classLoader));
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(classLoader);
        try {
            LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                    .selectors(DiscoverySelectors.selectClass(PluginConformanceTest.class))
                    .filters(EngineFilter.includeEngines("junit-jupiter"))
                    .configurationParameter(SESSION_PARAMETER, key)
                    .configurationParameter("junit.jupiter.execution.parallel.enabled", "false")
                    .build();
            Launcher launcher = LauncherFactory.create();
            Collector collector = new Collector();
            launcher.execute(request, collector);
            return new ConformanceReport(provider.id() + " (" + provider.integrationName() + ")", collector.checks());
        } finally {
            thread.setContextClassLoader(previous);
            SESSIONS.remove(key);
        }
    }

    static Optional<Session> session(String key) {
        return Optional.ofNullable(SESSIONS.get(key));
    }

    /** Raw settings from a JSON file holding one object, e.g. {@code {"stream": "events", "region": "us-east-1"}}. */
    public static Map<String, Object> readSettings(Path file) throws IOException {
        return new ObjectMapper().readValue(file.toFile(), new TypeReference<LinkedHashMap<String, Object>>() {});
    }

    /** A class loader over a plugin jar, or over every jar in a plugin directory, child of this library's loader. */
    public static URLClassLoader pluginClassLoader(Path plugin) {
        List<URL> urls = new ArrayList<>();
        try {
            if (Files.isDirectory(plugin)) {
                try (Stream<Path> files = Files.list(plugin)) {
                    for (Path jar : files.filter(f -> f.toString().endsWith(".jar")).sorted().toList()) {
                        urls.add(jar.toUri().toURL());
                    }
                }
            } else if (Files.isRegularFile(plugin)) {
                urls.add(plugin.toUri().toURL());
            } else {
                throw new IllegalArgumentException("no plugin jar or directory at " + plugin);
            }
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new URLClassLoader("sluice-plugin", urls.toArray(URL[]::new), ConformanceRunner.class.getClassLoader());
    }

    /** The providers the loader's own jars list in {@code META-INF/services} (not those of its parents). */
    public static List<DestinationProvider> providersIn(URLClassLoader loader) {
        List<DestinationProvider> providers = new ArrayList<>();
        try {
            Enumeration<URL> lists = loader.findResources(SERVICES);
            while (lists.hasMoreElements()) {
                for (String name : classNames(lists.nextElement())) {
                    providers.add(instantiate(loader, name));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return providers;
    }

    private static List<String> classNames(URL list) throws IOException {
        List<String> names = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(list.openStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                int comment = line.indexOf('#');
                String name = (comment < 0 ? line : line.substring(0, comment)).strip();
                if (!name.isEmpty() && !names.contains(name)) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    private static DestinationProvider instantiate(ClassLoader loader, String name) {
        try {
            Class<?> type = Class.forName(name, true, loader);
            return (DestinationProvider) type.getConstructor().newInstance();
        } catch (ClassNotFoundException | NoSuchMethodException | InstantiationException | IllegalAccessException
                 | ClassCastException e) {
            throw new IllegalArgumentException("cannot create provider " + name + ": " + e, e);
        } catch (InvocationTargetException e) {
            throw new IllegalArgumentException("provider " + name + " failed in its constructor: " + e.getCause(), e);
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
