package io.sluice.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.delivery.DeliveryPolicy;
import io.sluice.core.intake.AcceptedEvent;
import io.sluice.core.spec.SpecJson;
import io.sluice.spi.BatchLimits;
import io.sluice.spi.Destination;
import io.sluice.spi.Health;
import io.sluice.spi.DestinationContext;
import io.sluice.spi.DestinationProvider;
import io.sluice.spi.Outcome;
import io.sluice.spi.event.Event;
import io.sluice.spi.event.EventType;
import io.sluice.spi.settings.InvalidSettingsException;
import io.sluice.spi.settings.Setting;
import io.sluice.spi.settings.SettingError;
import io.sluice.spi.settings.SettingType;
import io.sluice.spi.settings.Settings;
import io.sluice.spi.settings.SettingsSchema;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.TestReporter;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The conformance suite every destination plugin's test extends (Trino's {@code BaseConnectorTest}
 * is the model). A subclass supplies its {@link #provider()} and a {@link #createTarget() test
 * target}: settings that write to a local stand-in for the service, and a reader for what arrived.
 * It opts out of a {@link Capability} it does not have in {@link #hasBehavior}; the affected check
 * then asserts the exact "not supported" behaviour instead of being skipped.
 *
 * <p>Events are made the way the server makes them: every call goes through core's
 * {@code Intake} (parse, validate, normalise), is routed by its {@code integrations} object, and
 * is delivered through core's {@code DeliveryEngine}, which batches, retries and backs off.
 * Checks only look at messages they sent themselves, so a target may be shared between checks.
 *
 * <pre>{@code
 * class MyDestinationConformanceTest extends DestinationConformanceTest {
 *     protected DestinationProvider provider() { return new MyProvider(); }
 *     protected TestTarget createTarget() { return MyEmulator.newTarget(); }
 *     protected boolean hasBehavior(Capability capability) {
 *         return switch (capability) {
 *             case ORDERING_PER_PARTITION -> false;
 *             default -> true;
 *         };
 *     }
 * }
 * }</pre>
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
// The log check captures process-wide output; other checks must not run beside it.
@Execution(ExecutionMode.SAME_THREAD)
@ResourceLock("sluice-conformance")
public abstract class DestinationConformanceTest {

    /** Setting names that hold credentials; such a setting must be typed SECRET. */
    private static final Pattern SECRET_NAME = Pattern.compile(
            "(?i).*(secret|password|passwd|passphrase|token|api[-_]?key|private[-_]?key|credential|auth[-_]?key"
                    + "|signing[-_]?key|access[-_]?key).*");
    /** Names with a secret word that are about a secret, not one: accessKeyId, tokenUrl, secretArn, passwordFile. */
    private static final Pattern NOT_A_SECRET_VALUE = Pattern.compile(
            "(?i).*(id|ids|arn|url|uri|endpoint|file|path|name|type|header|field|ttl|seconds|ms|millis|enabled)$");
    private static final int LARGEST_SPEC_PADDING = 32 * 1024 - 512;
    private static final long MOST_BYTES_PER_CHECK = 8L * 1024 * 1024;
    private static final long LARGEST_OVERSIZE_EVENT = 64L * 1024 * 1024;

    private TestTarget target;
    private TestReporter reporter;

    // ---------------------------------------------------------------- what a plugin supplies

    /** The provider under test, as the plugin's {@code META-INF/services} entry creates it. */
    protected abstract DestinationProvider provider();

    /** A target for one check: settings that write to it, and a reader. Closed after the check. */
    protected abstract TestTarget createTarget() throws Exception;

    /**
     * Whether the destination has {@code capability}. Everything is supported by default; opt out
     * in one {@code switch}, and the check asserts the behaviour written on the {@link Capability}.
     */
    protected boolean hasBehavior(Capability capability) {
        return true;
    }

    /** How long a check waits for outcomes and for messages to arrive. */
    protected Duration timeout() {
        return Duration.ofSeconds(20);
    }

    /** The class loader the plugin was found in, for the {@code ServiceLoader} checks. */
    protected ClassLoader pluginClassLoader() {
        return provider().getClass().getClassLoader();
    }

    /**
     * False when the runner was given settings alone: without the target itself there is no reading
     * it back and no making it fail.
     */
    boolean targetAvailable() {
        return true;
    }

    /** False when the target can read back but not fail on purpose, as from the command line. */
    boolean canInjectFailures() {
        return targetAvailable();
    }

    // ---------------------------------------------------------------- lifecycle

    @BeforeEach
    public final void conformanceSetUp(TestReporter testReporter) {
        this.reporter = testReporter;
    }

    @AfterEach
    public final void conformanceTearDown() throws Exception {
        if (target != null) {
            TestTarget t = target;
            target = null;
            t.close();
        }
    }

    // ---------------------------------------------------------------- discovery

    @Test
    @Order(1)
    public void discovery_serviceLoaderFindsProvider() {
        Class<?> type = provider().getClass();
        List<String> found = new ArrayList<>();
        DestinationProvider loaded = null;
        try {
            for (ServiceLoader.Provider<DestinationProvider> p
                    : ServiceLoader.load(DestinationProvider.class, pluginClassLoader()).stream().toList()) {
                found.add(p.type().getName());
                if (p.type() == type) {
                    loaded = p.get();
                }
            }
        } catch (ServiceConfigurationError e) {
            throw new AssertionError("ServiceLoader cannot load the providers: " + e.getMessage(), e);
        }
        assertThat(loaded)
                .as("%s must be listed in META-INF/services/%s; ServiceLoader found %s",
                        type.getName(), DestinationProvider.class.getName(), found)
                .isNotNull();
        assertThat(loaded.id()).as("id() of the instance ServiceLoader creates").isEqualTo(provider().id());
    }

    @Test
    @Order(2)
    public void discovery_idsAreUnique() {
        String id = provider().id();
        assertThat(id).as("id()").isNotBlank();
        assertThat(id).as("id() is lower case without spaces, for configuration files")
                .isEqualTo(id.toLowerCase(Locale.ROOT)).doesNotContainAnyWhitespaces();
        assertThat(provider().id()).as("id() is stable").isEqualTo(id);

        Map<String, Set<String>> classesById = new TreeMap<>();
        classesById.computeIfAbsent(id, k -> new HashSet<>()).add(provider().getClass().getName());
        for (ServiceLoader.Provider<DestinationProvider> p
                : ServiceLoader.load(DestinationProvider.class, pluginClassLoader()).stream().toList()) {
            classesById.computeIfAbsent(p.get().id(), k -> new HashSet<>()).add(p.type().getName());
        }
        Map<String, Set<String>> duplicates = classesById.entrySet().stream()
                .filter(e -> e.getValue().size() > 1)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        assertThat(duplicates).as("provider ids claimed by more than one provider class").isEmpty();
    }

    @Test
    @Order(3)
    public void discovery_integrationNameIsSet() {
        String name = provider().integrationName();
        assertThat(name).as("integrationName(), the destination's key in a call's integrations object")
                .isNotBlank();
        assertThat(name).as("integrationName() is matched exactly, so it has no leading or trailing spaces")
                .isEqualTo(name.strip());
        assertThat(name.equalsIgnoreCase("all"))
                .as("integrationName() '%s' is the integrations key that switches every destination", name)
                .isFalse();
        assertThat(provider().integrationName()).as("integrationName() is stable").isEqualTo(name);
    }

    // ---------------------------------------------------------------- settings schema

    @Test
    @Order(10)
    public void settings_everyFieldIsDescribed() {
        List<String> undescribed = schema().settings().stream()
                .filter(s -> s.description() == null || s.description().isBlank()
                        || s.description().strip().equalsIgnoreCase(s.name()))
                .map(Setting::name)
                .toList();
        assertThat(undescribed).as("settings without a description (forms and docs show it)").isEmpty();
    }

    @Test
    @Order(11)
    public void settings_secretsAreTypedAsSecret() {
        List<String> plain = schema().settings().stream()
                .filter(s -> s.type() == SettingType.STRING)
                .map(Setting::name)
                .filter(name -> SECRET_NAME.matcher(name).matches() && !NOT_A_SECRET_VALUE.matcher(name).matches())
                .toList();
        assertThat(plain).as("settings named like credentials but typed STRING, so shown in clear; "
                + "declare them with Setting.secret(...)").isEmpty();
        for (Setting s : schema().settings()) {
            if (s.isSecret()) {
                assertThat(s.defaultValue()).as("secret %s has no default", s.name()).isEmpty();
            }
        }
    }

    @Test
    @Order(12)
    public void settings_requiredFieldsHaveNoDefault() {
        JsonNode exported = jsonSchema();
        Set<String> requiredInExport = new HashSet<>();
        exported.path("required").forEach(n -> requiredInExport.add(n.asText()));
        for (Setting s : schema().settings()) {
            boolean required = s.presence() == Setting.Presence.REQUIRED;
            if (required) {
                assertThat(s.defaultValue()).as("required setting %s has a default", s.name()).isEmpty();
                assertThat(exported.path("properties").path(s.name()).has("default"))
                        .as("required setting %s has a default in the JSON Schema export", s.name()).isFalse();
            }
            assertThat(requiredInExport.contains(s.name()))
                    .as("setting %s is %s in the JSON Schema export", s.name(), required ? "required" : "not required")
                    .isEqualTo(required);
        }
    }

    @Test
    @Order(13)
    public void settings_defaultsSatisfyTheirRules() throws Exception {
        Map<String, Object> valid = validSettings();
        List<String> broken = new ArrayList<>();
        for (Setting s : schema().settings()) {
            if (s.defaultValue().isEmpty()) {
                continue;
            }
            Map<String, Object> raw = new LinkedHashMap<>(valid);
            raw.put(s.name(), SettingVariants.rawDefault(s));
            schema().validate(raw).stream()
                    .filter(e -> s.name().equals(e.field()))
                    .forEach(e -> broken.add(s.name() + " defaults to " + s.defaultValue().get()
                            + ", which its own rule refuses: " + e));
        }
        assertThat(broken).as("defaults that break their own setting's rule").isEmpty();
    }

    @Test
    @Order(14)
    public void settings_missingRequiredFieldsGivePerFieldErrors() throws Exception {
        Map<String, Object> valid = validSettings();
        List<SettingError> fromNothing = schema().validate(Map.of());
        assertPerField(fromNothing);
        for (Setting s : schema().settings()) {
            if (s.presence() != Setting.Presence.REQUIRED) {
                continue;
            }
            assertThat(fromNothing).as("errors for empty settings").anySatisfy(e -> {
                assertThat(e.field()).isEqualTo(s.name());
                assertThat(e.rule()).isEqualTo("required");
            });
            Map<String, Object> without = new LinkedHashMap<>(valid);
            without.remove(s.name());
            List<SettingError> errors = schema().validate(without);
            assertPerField(errors);
            assertThat(errors).as("errors for valid settings without required %s", s.name())
                    .anySatisfy(e -> {
                        assertThat(e.field()).isEqualTo(s.name());
                        assertThat(e.rule()).isEqualTo("required");
                    });
            assertThatThrownBy(() -> schema().parse(without))
                    .as("parse() of settings without required %s", s.name())
                    .isInstanceOfSatisfying(InvalidSettingsException.class,
                            ex -> assertThat(ex.errors()).anySatisfy(e -> assertThat(e.field()).isEqualTo(s.name())));
        }
    }

    @Test
    @Order(15)
    public void settings_invalidValuesGivePerFieldErrors() throws Exception {
        Map<String, Object> valid = validSettings();
        List<String> accepted = new ArrayList<>();
        for (Setting s : schema().settings()) {
            for (SettingVariants.Invalid invalid : SettingVariants.invalidValues(s)) {
                Map<String, Object> raw = new LinkedHashMap<>(valid);
                raw.put(s.name(), invalid.value());
                List<SettingError> errors = schema().validate(raw);
                assertPerField(errors);
                if (errors.stream().noneMatch(e -> s.name().equals(e.field()))) {
                    accepted.add(invalid + " gave " + (errors.isEmpty() ? "no error" : "only " + errors));
                }
            }
        }
        String unknown = "notASettingOfThisDestination";
        Map<String, Object> raw = new LinkedHashMap<>(valid);
        raw.put(unknown, "x");
        assertThat(schema().validate(raw)).as("errors for an unknown setting")
                .anySatisfy(e -> {
                    assertThat(e.field()).isEqualTo(unknown);
                    assertThat(e.rule()).isEqualTo("unknown_field");
                });
        assertThat(accepted).as("invalid values (derived from each setting's type and its exported rule) "
                + "that gave no error naming the setting").isEmpty();
    }

    @Test
    @Order(16)
    public void settings_secretsNeverAppearInToString() throws Exception {
        SecretCanaries canaries = canaries();
        Settings settings = parseWithCanaries(canaries);
        for (Map.Entry<String, String> e : canaries.bySetting().entrySet()) {
            assertThat(settings.secretValues().stream().anyMatch(v -> v.contains(e.getValue())))
                    .as("secret %s reads back as given", e.getKey()).isTrue();
        }
        Map<String, String> shown = new LinkedHashMap<>();
        shown.put("Settings.toString()", settings.toString());
        shown.put("Settings.masked()", String.valueOf(settings.masked()));
        shown.put("SettingsSchema.toString()", schema().toString());
        shown.put("DestinationProvider.toString()", provider().toString());
        Destination destination = provider().create(settings, DestinationContext.named("conformance-" + provider().id()));
        try {
            shown.put("Destination.toString() after create", destination.toString());
            destination.open();
            shown.put("Destination.toString() after open", destination.toString());
            shown.put("Destination.health()", String.valueOf(destination.health()));
        } finally {
            finish(destination);
        }
        shown.put("Destination.toString() after close", destination.toString());
        assertNoLeak(canaries, List.of(), shown);
    }

    @Test
    @Order(17)
    public void settings_secretsNeverAppearInErrors() throws Exception {
        SecretCanaries canaries = canaries();
        List<String> odd = SecretCanaries.oddSecrets();
        Map<String, String> shown = exerciseWithSecrets(canaries, odd);
        assertNoLeak(canaries, odd, shown);
    }

    @Test
    @Order(18)
    public void settings_secretsNeverAppearInJsonSchema() throws Exception {
        SecretCanaries canaries = canaries();
        parseWithCanaries(canaries);
        String json = schema().toJsonSchema();
        assertNoLeak(canaries, List.of(), Map.of("toJsonSchema()", json));
        JsonNode exported = jsonSchema();
        for (Setting s : schema().settings()) {
            if (!s.isSecret()) {
                continue;
            }
            JsonNode property = exported.path("properties").path(s.name());
            assertThat(property.path("writeOnly").asBoolean(false)).as("secret %s is writeOnly", s.name()).isTrue();
            assertThat(property.has("default")).as("secret %s has a default in the export", s.name()).isFalse();
        }
    }

    @Test
    @Order(19)
    public void settings_secretsNeverAppearInLogs() throws Exception {
        SecretCanaries canaries = canaries();
        List<String> odd = SecretCanaries.oddSecrets();
        String output;
        try (OutputCapture capture = new OutputCapture()) {
            exerciseWithSecrets(canaries, odd);
            output = capture.text();
        }
        assertNoLeak(canaries, odd, Map.of("the log output (java.util.logging at every level, System.out, System.err)",
                output));
    }

    // ---------------------------------------------------------------- the Spec

    @Test
    @Order(20)
    public void spec_identifyExampleDelivered() throws Exception {
        assertDeliveredAsNormalised(List.of(SpecCalls.accept(SpecCalls.example("identify", integrationName()))));
    }

    @Test
    @Order(21)
    public void spec_trackExampleDelivered() throws Exception {
        assertDeliveredAsNormalised(List.of(SpecCalls.accept(SpecCalls.example("track", integrationName()))));
    }

    @Test
    @Order(22)
    public void spec_pageExampleDelivered() throws Exception {
        assertDeliveredAsNormalised(List.of(SpecCalls.accept(SpecCalls.example("page", integrationName()))));
    }

    @Test
    @Order(23)
    public void spec_screenExampleDelivered() throws Exception {
        assertDeliveredAsNormalised(List.of(SpecCalls.accept(SpecCalls.example("screen", integrationName()))));
    }

    @Test
    @Order(24)
    public void spec_groupExampleDelivered() throws Exception {
        assertDeliveredAsNormalised(List.of(SpecCalls.accept(SpecCalls.example("group", integrationName()))));
    }

    @Test
    @Order(25)
    public void spec_aliasExampleDelivered() throws Exception {
        assertDeliveredAsNormalised(List.of(SpecCalls.accept(SpecCalls.example("alias", integrationName()))));
    }

    /**
     * The common fields example has {@code "type": "track"} but no event name, so it is not a valid
     * track call; it is posted to {@code /v1/identify}, whose path sets the type, as the API allows.
     */
    @Test
    @Order(26)
    public void spec_commonFieldsExampleDelivered() throws Exception {
        assertDeliveredAsNormalised(List.of(SpecCalls.accept(
                SpecCalls.write(SpecCalls.example("common", integrationName())), EventType.IDENTIFY)));
    }

    @Test
    @Order(27)
    public void spec_unicodeDelivered() throws Exception {
        AcceptedEvent event = SpecCalls.accept(SpecCalls.unicodeBody(SpecCalls.newMessageId()), EventType.TRACK);
        JsonNode normalised = SpecJson.MAPPER.readTree(event.event().jsonText()).path("properties");
        assertThat(normalised.path("emoji").textValue()).as("the suite's unicode event, normalised").isEqualTo("😀🎉👍🏽");
        assertThat(normalised.path("escaped").textValue()).as("the suite's unicode event, normalised")
                .startsWith("😀 \u00e9\u0301");
        assertDeliveredAsNormalised(List.of(event));
    }

    @Test
    @Order(28)
    public void spec_deepNestingDelivered() throws Exception {
        assertDeliveredAsNormalised(List.of(SpecCalls.accept(SpecCalls.deeplyNested(100))));
    }

    @Test
    @Order(29)
    public void spec_numbersAtTheEdgesDelivered() throws Exception {
        assertDeliveredAsNormalised(List.of(
                SpecCalls.accept(SpecCalls.numbersBody(SpecCalls.newMessageId()), EventType.TRACK)));
    }

    @Test
    @Order(30)
    public void spec_32KbEventDelivered() throws Exception {
        assertDeliveredAsNormalised(List.of(
                SpecCalls.accept(SpecCalls.largestEventBody(SpecCalls.newMessageId()), EventType.TRACK)));
    }

    @Test
    @Order(31)
    public void spec_emptyPropertiesDelivered() throws Exception {
        ObjectNode track = SpecCalls.track("empty-user", "Empty Properties");
        track.putObject("properties");
        ObjectNode page = SpecCalls.track("empty-user", "ignored");
        page.put("type", "page");
        page.remove("event");
        page.put("name", "Empty");
        page.putObject("properties");
        ObjectNode identify = SpecCalls.track("empty-user", "ignored");
        identify.put("type", "identify");
        identify.remove("event");
        identify.remove("properties");
        identify.putObject("traits");
        assertDeliveredAsNormalised(List.of(SpecCalls.accept(track), SpecCalls.accept(page), SpecCalls.accept(identify)));
    }

    @Test
    @Order(32)
    public void spec_disabledIntegrationsNotDelivered() throws Exception {
        String name = integrationName();
        ObjectNode offByName = SpecCalls.track("routing-user", "Disabled By Name");
        offByName.putObject("integrations").put(name, false);
        ObjectNode allOff = SpecCalls.track("routing-user", "Disabled By All");
        allOff.putObject("integrations").put("All", false);
        ObjectNode lowerCaseAllOff = SpecCalls.track("routing-user", "Disabled By all");
        lowerCaseAllOff.putObject("integrations").put("all", false).put("Some Other Destination", true);
        ObjectNode onByName = SpecCalls.track("routing-user", "Enabled By Name Over All");
        onByName.putObject("integrations").put("All", false).put(name, true);
        ObjectNode onWithOptions = SpecCalls.track("routing-user", "Enabled With Options");
        onWithOptions.putObject("integrations").putObject(name).put("someOption", 1);
        ObjectNode control = SpecCalls.track("routing-user", "No Integrations Object");

        List<AcceptedEvent> disabled = new ArrayList<>(List.of(
                SpecCalls.accept(offByName), SpecCalls.accept(allOff), SpecCalls.accept(lowerCaseAllOff)));
        ObjectNode identifyAsPublished = SpecCalls.exampleAsPublished("identify");
        if (!identifyAsPublished.path("integrations").has(name)) {
            // As published: {"All": false, "Mixpanel": true, "Salesforce": true}.
            disabled.add(SpecCalls.accept(identifyAsPublished));
        }
        List<AcceptedEvent> enabled = List.of(
                SpecCalls.accept(onByName), SpecCalls.accept(onWithOptions), SpecCalls.accept(control));
        List<AcceptedEvent> all = new ArrayList<>(disabled);
        all.addAll(enabled);

        List<Event> routed = route(all);
        List<Event> enabledEvents = events(enabled);
        List<Event> disabledEvents = events(disabled);
        assertThat(ids(routed)).as("events routed to '%s'", name).containsExactlyInAnyOrderElementsOf(ids(enabledEvents));

        try (DeliveryRun run = run(target().settings(), policy())) {
            run.offerAll(routed);
            run.flush();
            run.assertDeliveredOnce(enabledEvents);
            Arrivals arrivals = awaitArrivals(enabledEvents);
            arrivals.assertEachOnceAsNormalised(enabledEvents);
            arrivals.assertNoneArrived(disabledEvents);
        }
    }

    // ---------------------------------------------------------------- delivery

    @Test
    @Order(40)
    public void delivery_oneOutcomePerEvent() throws Exception {
        List<Outcome> outcomes;
        List<Event> batch;
        Destination destination = open(target().settings());
        try {
            batch = smallEvents(Math.min(3, destination.limits().maxEvents()), "outcome-user");
            outcomes = await(destination.deliver(List.copyOf(batch)), "deliver() of a batch of " + batch.size());
        } finally {
            finish(destination);
        }
        assertThat(outcomes).as("outcomes for a batch of %d events", batch.size())
                .hasSize(batch.size()).doesNotContainNull();
        assertThat(outcomes.stream().filter(o -> !(o instanceof Outcome.Delivered)).toList())
                .as("outcomes for small events on a fresh target that are not Delivered").isEmpty();
        awaitArrivals(batch).assertEachOnceAsNormalised(batch);
    }

    @Test
    @Order(41)
    public void delivery_batchAtMaxEvents() throws Exception {
        try (DeliveryRun run = run(target().settings(), policy().withLinger(Duration.ofMinutes(10)))) {
            BatchLimits limits = run.limits();
            if (!hasBehavior(Capability.BATCHING)) {
                note("BATCHING opted out: checked that limits().maxEvents() is 1 and every request holds one event");
                assertThat(limits.maxEvents()).as("limits().maxEvents() of a destination without BATCHING").isEqualTo(1);
                List<Event> events = smallEvents(3, "batch-user");
                run.offerAll(events);
                run.flush();
                run.assertDeliveredOnce(events);
                assertThat(run.requests()).as("requests").allSatisfy(r -> assertThat(r.events()).isEqualTo(1));
                awaitArrivals(events).assertEachOnceAsNormalised(events);
                return;
            }
            assertThat(limits.maxEvents()).as("limits().maxEvents() of a destination with BATCHING "
                    + "(opt out of Capability.BATCHING if it sends one event per request)").isGreaterThan(1);
            int full = limits.maxEvents();
            int offered = full + 1;
            if (full > 2000) {
                note("maxEvents " + full + " is over 2000: checked one batch of 2000");
                full = 2000;
                offered = 2000;
            }
            List<Event> events = smallEvents(offered, "batch-user");
            long fullBytes = events.stream().limit(full).mapToLong(run.destination()::sizeOf).sum();
            boolean reachable = fullBytes <= limits.maxBytes();
            if (!reachable) {
                note("maxBytes " + limits.maxBytes() + " ends a batch before maxEvents " + full
                        + " small events: checked that no request exceeds either limit");
            }
            run.offerAll(events);
            run.flush();
            run.assertDeliveredOnce(events);
            int largest = run.requests().stream().mapToInt(DeliveryRun.Request::events).max().orElse(0);
            if (reachable) {
                assertThat(largest).as("events in the largest request the engine made (a full batch is %d)", full)
                        .isEqualTo(full);
            }
            assertThat(run.requests()).as("requests").allSatisfy(r -> {
                assertThat(r.events()).isLessThanOrEqualTo(limits.maxEvents());
                assertThat(r.events() == 1 || r.bytes() <= limits.maxBytes()).isTrue();
            });
            awaitArrivals(events).assertEachOnceAsNormalised(events);
        }
    }

    @Test
    @Order(42)
    public void delivery_batchAtMaxBytes() throws Exception {
        try (DeliveryRun run = run(target().settings(), policy().withLinger(Duration.ofMinutes(10)))) {
            BatchLimits limits = run.limits();
            Destination d = run.destination();
            long size0 = d.sizeOf(SpecCalls.accept(SpecCalls.padded("bytes-user", 0)).event());
            long size1 = d.sizeOf(SpecCalls.accept(SpecCalls.padded("bytes-user", 1000)).event());
            assertThat(size0).as("sizeOf() the smallest padded event, against limits().maxBytes() %d", limits.maxBytes())
                    .isLessThanOrEqualTo(limits.maxBytes());
            assertThat(size1).as("sizeOf() grows with the event").isGreaterThan(size0);
            // Events just large enough that the byte limit, not the event limit, ends a batch.
            long wanted = Math.min(limits.maxBytes(), limits.maxBytes() / limits.maxEvents() + 1);
            long padding = Math.max(0, (wanted - size0) * 1000 / (size1 - size0));
            padding = Math.min(padding, LARGEST_SPEC_PADDING);
            while (padding > 0 && d.sizeOf(SpecCalls.accept(SpecCalls.padded("bytes-user", (int) padding)).event())
                    > limits.maxBytes()) {
                padding = padding * 9 / 10;
            }
            List<Event> probe = List.of(SpecCalls.accept(SpecCalls.padded("bytes-user", (int) padding)).event());
            long size = d.sizeOf(probe.get(0));
            int full = (int) Math.min(limits.maxEvents(), limits.maxBytes() / size);
            int offered = full + 1;
            if ((long) full * size > MOST_BYTES_PER_CHECK) {
                full = (int) Math.max(1, MOST_BYTES_PER_CHECK / size);
                offered = full;
                note("maxBytes " + limits.maxBytes() + " is more than this check sends (" + MOST_BYTES_PER_CHECK
                        + " bytes): checked one batch of " + full + " events of " + size + " bytes");
            } else if (full == limits.maxEvents() && full > 1) {
                note("maxEvents " + full + " events of the largest Spec size stay under maxBytes "
                        + limits.maxBytes() + ": checked the largest batch the Spec allows");
            }
            List<Event> events = new ArrayList<>();
            for (int i = 0; i < offered; i++) {
                events.add(SpecCalls.accept(SpecCalls.padded("bytes-user", (int) padding)).event());
            }
            run.offerAll(events);
            run.flush();
            run.assertDeliveredOnce(events);
            DeliveryRun.Request largest = run.requests().stream()
                    .max((a, b) -> Integer.compare(a.events(), b.events())).orElseThrow();
            assertThat(largest.events()).as("events in the largest request (a full batch of %d-byte events is %d)",
                    size, full).isEqualTo(full);
            assertThat(largest.bytes()).as("bytes in the largest request").isLessThanOrEqualTo(limits.maxBytes());
            awaitArrivals(events).assertEachOnceAsNormalised(events);
        }
    }

    @Test
    @Order(43)
    public void delivery_concurrentSendsFromEightThreadsExactlyOnce() throws Exception {
        int threads = 8;
        int perThread = 25;
        List<List<Event>> byThread = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            byThread.add(smallEvents(perThread, "thread-" + t));
        }
        List<Event> all = byThread.stream().flatMap(List::stream).toList();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (DeliveryRun run = run(target().settings(), policy())) {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> senders = new ArrayList<>();
            for (List<Event> events : byThread) {
                senders.add(pool.submit(() -> {
                    start.await();
                    events.forEach(run::offer);
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> sender : senders) {
                sender.get(timeout().toMillis(), TimeUnit.MILLISECONDS);
            }
            run.flush();
            run.assertDeliveredOnce(all);
            awaitArrivals(all).assertEachOnceAsNormalised(all);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @Order(44)
    public void delivery_closeDeliversEverythingBuffered() throws Exception {
        List<Event> events = smallEvents(25, "close-user");
        DeliveryRun run = run(target().settings(), policy().withLinger(Duration.ofMinutes(10)));
        run.offerAll(events);
        List<Event> left = run.close(timeout());
        assertThat(left).as("events close() could not deliver within %s", timeout()).isEmpty();
        run.assertDeliveredOnce(events);
        awaitArrivals(events).assertEachOnceAsNormalised(events);
    }

    @Test
    @Order(45)
    public void delivery_retryableFailuresAreRetried() throws Exception {
        if (!supportsRetryableErrors()) {
            return;
        }
        TestTarget t = target();
        List<Event> events = smallEvents(5, "retry-user");
        try (DeliveryRun run = run(t.settings(), policy().withMaxAttempts(10))) {
            t.injectRetryableFailures(2);
            run.offerAll(events);
            run.flush();
            assertThat(run.retries()).as("Retryable outcomes the engine saw after the target failed 2 requests%s",
                    run.contractViolations()).isNotEmpty();
            assertThat(run.retries()).as("reasons of Retryable outcomes")
                    .allSatisfy(r -> assertThat(r.reason()).isNotBlank());
            run.assertDeliveredOnce(events);
            awaitArrivals(events).assertEachOnceAsNormalised(events);
        }
    }

    @Test
    @Order(46)
    public void delivery_retryableFailureReportedAsRetryable() throws Exception {
        if (!supportsRetryableErrors()) {
            return;
        }
        TestTarget t = target();
        Destination destination = open(t.settings());
        List<Event> batch;
        List<Outcome> failed;
        List<Outcome> retried;
        try {
            batch = smallEvents(Math.min(3, destination.limits().maxEvents()), "retry-user");
            t.injectRetryableFailures(1);
            failed = await(destination.deliver(List.copyOf(batch)),
                    "deliver() while the target fails (map service failures to Outcome.retryable)");
            retried = await(destination.deliver(List.copyOf(batch)), "deliver() of the same batch again");
        } finally {
            finish(destination);
        }
        assertThat(failed).as("outcomes of a batch of %d the target failed retryably", batch.size()).hasSize(batch.size());
        assertThat(failed.stream().filter(o -> !(o instanceof Outcome.Retryable r && !r.reason().isBlank())).toList())
                .as("outcomes of a batch the target failed retryably that are not Retryable with a reason").isEmpty();
        assertThat(retried).as("outcomes of the same batch sent again").hasSize(batch.size());
        assertThat(retried.stream().filter(o -> !(o instanceof Outcome.Delivered)).toList())
                .as("outcomes of the same batch sent again that are not Delivered").isEmpty();
        awaitArrivals(batch).assertEachOnceAsNormalised(batch);
    }

    @Test
    @Order(47)
    public void delivery_oversizeEventRejectedAndReported() throws Exception {
        try (DeliveryRun run = run(target().settings(), policy())) {
            long maxBytes = run.limits().maxBytes();
            if (maxBytes >= LARGEST_OVERSIZE_EVENT) {
                Assumptions.abort("limits().maxBytes() is " + maxBytes + ": too large to build an event over it in a test");
            }
            Event oversize = oversizeEvent(run.destination(), maxBytes);
            List<Event> small = smallEvents(2, "oversize-user");
            run.offer(small.get(0));
            run.offer(oversize);
            run.offer(small.get(1));
            run.flush();
            if (!hasBehavior(Capability.REJECTING_OVERSIZE_EVENTS)) {
                note("REJECTING_OVERSIZE_EVENTS opted out: checked that an event over maxBytes is delivered intact");
                List<Event> all = List.of(small.get(0), oversize, small.get(1));
                run.assertDeliveredOnce(all);
                awaitArrivals(all).assertEachOnceAsNormalised(all);
                return;
            }
            assertThat(run.deliveries(oversize.messageId()))
                    .as("%s of %d bytes, over limits().maxBytes() %d, reported delivered%s", oversize,
                            run.destination().sizeOf(oversize), maxBytes, run.contractViolations())
                    .isZero();
            assertThat(run.failures()).as("events reported failed (the oversize event must be Rejected)%s",
                    run.contractViolations()).singleElement().satisfies(f -> {
                        assertThat(f.event().messageId()).isEqualTo(oversize.messageId());
                        assertThat(f.reason()).as("the rejection's reason").isNotBlank();
                    });
            assertThat(run.retries()).as("Retryable outcomes: retrying an oversize event cannot succeed").isEmpty();
            run.assertDeliveredOnce(small);
            Arrivals arrivals = awaitArrivals(small);
            arrivals.assertEachOnceAsNormalised(small);
            arrivals.assertNoneArrived(List.of(oversize));
        }
    }

    @Test
    @Order(48)
    public void delivery_orderPreservedPerPartition() throws Exception {
        List<Event> first = smallEvents(30, "partition-a");
        List<Event> second = smallEvents(30, "partition-b");
        List<Event> interleaved = new ArrayList<>();
        for (int i = 0; i < first.size(); i++) {
            interleaved.add(first.get(i));
            interleaved.add(second.get(i));
        }
        try (DeliveryRun run = run(target().settings(), policy().withMaxInFlightRequests(1))) {
            run.offerAll(interleaved);
            run.flush();
            run.assertDeliveredOnce(interleaved);
            Arrivals arrivals = awaitArrivals(interleaved);
            arrivals.assertEachOnce(interleaved);
            if (!hasBehavior(Capability.ORDERING_PER_PARTITION)) {
                note("ORDERING_PER_PARTITION opted out: checked that every event arrived once, in any order");
                return;
            }
            for (List<Event> partition : List.of(first, second)) {
                List<String> offered = ids(partition);
                List<String> arrived = arrivals.inArrivalOrder(offered).stream().map(Arrivals.Message::messageId).toList();
                for (int i = 0; i < offered.size(); i++) {
                    if (!offered.get(i).equals(arrived.get(i))) {
                        throw new AssertionError("the events of user " + partition.get(0).userId().orElseThrow()
                                + " arrived out of the order they were offered in (one request in flight at a time):"
                                + " the event offered #" + (i + 1) + " arrived #" + (arrived.indexOf(offered.get(i)) + 1)
                                + "; offered as #" + (offered.indexOf(arrived.get(i)) + 1) + ", the event that arrived #"
                                + (i + 1) + " is " + arrived.get(i));
                    }
                }
            }
        }
    }

    @Test
    @Order(49)
    public void delivery_outcomesFollowBatchOrder() throws Exception {
        if (!supports(Capability.PARTIAL_FAILURES, t -> t.injectRecordFailures(Set.of("no-such-event")))) {
            return;
        }
        TestTarget t = target();
        Destination destination = open(t.settings());
        List<Event> batch;
        Set<String> failing = new java.util.HashSet<>();
        List<Outcome> outcomes;
        try {
            int n = Math.min(6, destination.limits().maxEvents());
            batch = smallEvents(n, "partial-user");
            // No rotation or reversal of the batch maps these positions onto themselves.
            for (int i : n >= 3 ? List.of(1, 2) : n == 2 ? List.of(1) : List.of(0)) {
                failing.add(batch.get(i).messageId());
            }
            t.injectRecordFailures(failing);
            outcomes = await(destination.deliver(List.copyOf(batch)),
                    "deliver() of a batch some of whose records the target fails");
        } finally {
            finish(destination);
        }
        assertThat(outcomes).as("outcomes of a batch of %d", batch.size()).hasSize(batch.size());
        List<String> wrong = new ArrayList<>();
        List<Event> delivered = new ArrayList<>();
        List<Event> failed = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            boolean fails = failing.contains(batch.get(i).messageId());
            (fails ? failed : delivered).add(batch.get(i));
            Outcome outcome = outcomes.get(i);
            boolean right = fails ? outcome instanceof Outcome.Retryable r && !r.reason().isBlank()
                    : outcome instanceof Outcome.Delivered;
            if (!right) {
                wrong.add("#" + i + " (" + batch.get(i).messageId() + ") should be "
                        + (fails ? "Retryable with a reason" : "Delivered") + " but is " + outcome);
            }
        }
        assertThat(wrong).as("outcomes out of step with the batch (outcome i must be event i's) when the target "
                + "fails %d of its %d records", failed.size(), batch.size()).isEmpty();
        Arrivals arrivals = awaitArrivals(delivered);
        arrivals.assertEachOnceAsNormalised(delivered);
        arrivals.assertNoneArrived(failed);
    }

    @Test
    @Order(50)
    public void delivery_permanentFailureIsRejected() throws Exception {
        if (!supports(Capability.PERMANENT_ERRORS, t -> t.injectPermanentFailures(1))) {
            return;
        }
        TestTarget t = target();
        Destination destination = open(t.settings());
        List<Event> batch;
        List<Outcome> refused;
        List<Outcome> next;
        List<Event> later;
        try {
            batch = smallEvents(Math.min(3, destination.limits().maxEvents()), "permanent-user");
            t.injectPermanentFailures(1);
            refused = await(destination.deliver(List.copyOf(batch)), "deliver() while the target refuses the request for good");
            later = smallEvents(batch.size(), "permanent-user");
            next = await(destination.deliver(List.copyOf(later)), "deliver() of the next batch");
        } finally {
            finish(destination);
        }
        assertThat(refused).as("outcomes of a batch of %d the target refused for good", batch.size()).hasSize(batch.size());
        assertThat(refused.stream().filter(o -> !(o instanceof Outcome.Rejected r && !r.reason().isBlank())).toList())
                .as("outcomes of a batch the target refused for good (a 4xx about the events) that are not Rejected "
                        + "with a reason: retrying the same events cannot succeed").isEmpty();
        assertThat(next.stream().filter(o -> !(o instanceof Outcome.Delivered)).toList())
                .as("outcomes of the next batch, which the target accepts").isEmpty();
        awaitArrivals(later).assertEachOnceAsNormalised(later);
    }

    @Test
    @Order(51)
    public void health_configurationErrorIsReported() throws Exception {
        if (!supports(Capability.CONFIGURATION_ERRORS, t -> t.injectConfigurationFailures(1))) {
            return;
        }
        TestTarget t = target();
        Destination destination = open(t.settings());
        try {
            assertThat(destination.health().isHealthy()).as("health() after open() against a working target: %s",
                    destination.health()).isTrue();
            List<Event> batch = smallEvents(Math.min(3, destination.limits().maxEvents()), "config-user");
            t.injectConfigurationFailures(1);
            List<Outcome> kept = await(destination.deliver(List.copyOf(batch)),
                    "deliver() while the target refuses the configuration (unknown target, bad credentials)");
            assertThat(kept.stream().filter(o -> !(o instanceof Outcome.Retryable r && !r.reason().isBlank())).toList())
                    .as("outcomes of a batch refused because of the configuration: they must be Retryable, so the "
                            + "events are kept until the operator fixes it").isEmpty();
            Health sick = awaitHealth(destination, false);
            assertThat(sick.isHealthy()).as("health() after the target refused the configuration: it must say what "
                    + "to fix").isFalse();
            assertThat(sick.message()).as("the unhealthy message").isNotBlank();
            List<Outcome> again = await(destination.deliver(List.copyOf(batch)), "deliver() once the target accepts again");
            assertThat(again.stream().filter(o -> !(o instanceof Outcome.Delivered)).toList())
                    .as("outcomes once the configuration works again").isEmpty();
            assertThat(awaitHealth(destination, true).isHealthy())
                    .as("health() after a delivery succeeded again").isTrue();
            awaitArrivals(batch).assertEachOnceAsNormalised(batch);
        } finally {
            finish(destination);
        }
    }

    @Test
    @Order(52)
    public void delivery_deliverReturnsWithoutWaiting() throws Exception {
        TestTarget t = target();
        Duration slow = timeout().dividedBy(4).compareTo(Duration.ofSeconds(2)) < 0
                ? timeout().dividedBy(4) : Duration.ofSeconds(2);
        Destination destination = open(t.settings());
        try {
            List<Event> warmUp = smallEvents(1, "prompt-user");
            await(destination.deliver(List.copyOf(warmUp)), "deliver() of a first event");
            List<Event> batch = smallEvents(Math.min(3, destination.limits().maxEvents()), "prompt-user");
            if (canInjectFailures()) {
                try {
                    t.delayResponses(1, slow);
                } catch (UnsupportedOperationException e) {
                    Assumptions.abort("the test target cannot delay its answers (TestTarget.delayResponses)");
                }
            } else {
                note("the target could not be slowed down (no TestTarget): checked that deliver() returns within "
                        + slow.dividedBy(2).toMillis() + " ms against the target as it is");
            }
            long start = System.nanoTime();
            java.util.concurrent.CompletionStage<List<Outcome>> stage = destination.deliver(List.copyOf(batch));
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(took).as("time deliver() took to return while the target took %s to answer: it must start the "
                    + "request and return its stage at once (the engine calls it on its own thread)", slow)
                    .isLessThan(slow.dividedBy(2));
            List<Outcome> outcomes = await(stage, "deliver() against a slow target");
            assertThat(outcomes.stream().filter(o -> !(o instanceof Outcome.Delivered)).toList())
                    .as("outcomes from the slow target").isEmpty();
        } finally {
            finish(destination);
        }
    }

    // ---------------------------------------------------------------- helpers

    /** The message of a check that reads the target back and has no reader. */
    static final String NO_READER = "no target reader supplied: the plugin offers no reader of what arrived "
            + "(DestinationProvider.reader), so what arrived at the target was not checked";

    /** The message of a check that needs the target to fail on purpose and has no such target. */
    static final String NO_INJECTION = "the test target cannot inject failures (sluice conformance reads the "
            + "target back but cannot make it fail; run the suite under JUnit with a TestTarget)";

    /**
     * Whether to run a check of {@code capability}; opted out, asserts that {@code inject} throws
     * {@link UnsupportedOperationException}, so an opt-out cannot hide a target that could be tested.
     */
    private boolean supports(Capability capability, ThrowingConsumer<TestTarget> inject) throws Exception {
        if (!hasBehavior(capability)) {
            note(capability + " opted out: checked that the test target cannot inject that failure");
            TestTarget t = target();
            assertThatThrownBy(() -> inject.accept(t))
                    .as("injecting a failure the destination opted out of (%s)", capability)
                    .isInstanceOf(UnsupportedOperationException.class);
            return false;
        }
        if (!canInjectFailures()) {
            Assumptions.abort(NO_INJECTION);
        }
        return true;
    }

    /** A step of a check that may throw. */
    @FunctionalInterface
    interface ThrowingConsumer<T> {
        void accept(T value) throws Exception;
    }

    /** Polls health() until it is (un)healthy or the timeout passes; returns the last answer. */
    private Health awaitHealth(Destination destination, boolean healthy) throws InterruptedException {
        long deadline = System.nanoTime() + timeout().toNanos();
        Health health = destination.health();
        while (health.isHealthy() != healthy && System.nanoTime() < deadline) {
            Thread.sleep(20);
            health = destination.health();
        }
        return health;
    }


    private String integrationName() {
        return provider().integrationName();
    }

    private SettingsSchema schema() {
        return provider().settingsSchema();
    }

    private TestTarget target() throws Exception {
        if (target == null) {
            target = createTarget();
        }
        return target;
    }

    /** The test target's settings, which must be valid: every other settings check starts from them. */
    private Map<String, Object> validSettings() throws Exception {
        Map<String, Object> raw = new LinkedHashMap<>(target().settings());
        List<SettingError> errors = schema().validate(raw);
        assertThat(errors).as("errors in the test target's settings()").isEmpty();
        return raw;
    }

    private Destination open(Map<String, Object> raw) {
        Settings settings;
        try {
            settings = schema().parse(raw);
        } catch (InvalidSettingsException e) {
            throw new AssertionError("the test target's settings() are invalid: " + e.getMessage(), e);
        }
        Destination destination = provider().create(settings, DestinationContext.named("conformance-" + provider().id()));
        destination.open();
        return destination;
    }

    /** The end of a destination's lifecycle, as the engine does it: flush, then close. */
    private static void finish(Destination destination) {
        try {
            destination.flush();
        } finally {
            destination.close();
        }
    }

    private DeliveryRun run(Map<String, Object> raw, DeliveryPolicy policy) {
        return new DeliveryRun(provider().id(), open(raw), policy, timeout());
    }

    /** Quick linger and backoff, and a bounded number of attempts, so a broken destination fails fast. */
    private static DeliveryPolicy policy() {
        return DeliveryPolicy.defaults()
                .withLinger(Duration.ofMillis(10))
                .withBackoff(Duration.ofMillis(5), Duration.ofMillis(50))
                .withMaxAttempts(5);
    }

    private Arrivals awaitArrivals(Collection<Event> events) throws Exception {
        if (!targetAvailable()) {
            Assumptions.abort(NO_READER);
        }
        return Arrivals.await(target(), ids(events), timeout());
    }

    private List<Event> route(List<AcceptedEvent> accepted) {
        String name = integrationName();
        return accepted.stream().filter(a -> a.integrations().enables(name)).map(AcceptedEvent::event).toList();
    }

    private void assertDeliveredAsNormalised(List<AcceptedEvent> accepted) throws Exception {
        List<Event> events = route(accepted);
        assertThat(ids(events)).as("events routed to '%s'", integrationName())
                .containsExactlyElementsOf(ids(events(accepted)));
        try (DeliveryRun run = run(target().settings(), policy())) {
            run.offerAll(events);
            run.flush();
            run.assertDeliveredOnce(events);
            awaitArrivals(events).assertEachOnceAsNormalised(events);
        }
    }

    private List<Event> smallEvents(int n, String userId) {
        List<Event> events = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            events.add(SpecCalls.accept(SpecCalls.track(userId, "Conformance Event " + i)).event());
        }
        return events;
    }

    /** An event whose size, as the destination counts it, is just over {@code maxBytes}. */
    private static Event oversizeEvent(Destination destination, long maxBytes) {
        String messageId = SpecCalls.newMessageId();
        Instant now = Instant.now();
        long padding = maxBytes + 1;
        while (true) {
            ObjectNode call = SpecJson.MAPPER.createObjectNode();
            call.put("type", "track");
            call.put("messageId", messageId);
            call.put("userId", "oversize-user");
            call.put("event", "Oversize");
            call.putObject("properties").put("padding", "o".repeat((int) padding));
            call.put("timestamp", now.toString());
            call.put("receivedAt", now.toString());
            Event event = Event.builder(EventType.TRACK, messageId, SpecCalls.write(call))
                    .userId("oversize-user").eventName("Oversize").timestamp(now).receivedAt(now).build();
            if (destination.sizeOf(event) > maxBytes) {
                return event;
            }
            padding = padding * 2;
        }
    }

    private boolean supportsRetryableErrors() throws Exception {
        if (!hasBehavior(Capability.RETRYABLE_ERRORS)) {
            note("RETRYABLE_ERRORS opted out: checked that the test target cannot inject retryable failures");
            assertThatThrownBy(() -> target().injectRetryableFailures(1))
                    .as("injectRetryableFailures() of a target whose destination opted out of RETRYABLE_ERRORS")
                    .isInstanceOf(UnsupportedOperationException.class);
            return false;
        }
        if (!canInjectFailures()) {
            Assumptions.abort(NO_INJECTION);
        }
        return true;
    }

    private List<Outcome> await(java.util.concurrent.CompletionStage<List<Outcome>> stage, String what) {
        try {
            return stage.toCompletableFuture().get(timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError(what + " completed exceptionally instead of with outcomes: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError(what + " did not complete within " + timeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static List<Event> events(List<AcceptedEvent> accepted) {
        return accepted.stream().map(AcceptedEvent::event).toList();
    }

    private static List<String> ids(Collection<Event> events) {
        return events.stream().map(Event::messageId).toList();
    }

    private JsonNode jsonSchema() {
        String json = schema().toJsonSchema();
        try {
            return SpecJson.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new AssertionError("toJsonSchema() is not JSON: " + e.getMessage(), e);
        }
    }

    private static void assertPerField(List<SettingError> errors) {
        for (SettingError e : errors) {
            assertThat(e.field()).as("the field of error %s", e).isNotBlank();
            assertThat(e.rule()).as("the rule of error %s", e).isNotBlank();
            assertThat(e.message()).as("the message of error %s names its field", e).contains(e.field());
        }
    }

    private SecretCanaries canaries() {
        SecretCanaries canaries = new SecretCanaries(schema());
        if (canaries.isEmpty()) {
            note("the schema has no SECRET settings: nothing to leak");
        }
        return canaries;
    }

    private Settings parseWithCanaries(SecretCanaries canaries) throws Exception {
        Map<String, Object> raw = canaries.applyTo(target().settings());
        List<SettingError> errors = schema().validate(raw);
        assertThat(errors).as("errors in the test target's settings() with every secret set to a canary value "
                + "(settings() must give whatever a secret needs alongside it)").isEmpty();
        return schema().parse(raw);
    }

    /**
     * Produces every text a secret could leak into, with the secrets set to canaries: the errors
     * of invalid variants of the settings, exception messages, the destination's health and the
     * reasons of its outcomes (rejected and, where the target can fail, retryable).
     */
    private Map<String, String> exerciseWithSecrets(SecretCanaries canaries, List<String> oddSecrets) throws Exception {
        Map<String, String> shown = new LinkedHashMap<>();
        Map<String, Object> raw = canaries.applyTo(target().settings());
        List<String> errors = new ArrayList<>();
        for (Setting s : schema().settings()) {
            List<Object> values = new ArrayList<>();
            SettingVariants.invalidValues(s).forEach(v -> values.add(v.value()));
            if (s.isSecret()) {
                values.addAll(oddSecrets);
            }
            for (Object value : values) {
                Map<String, Object> variant = new LinkedHashMap<>(raw);
                variant.put(s.name(), value);
                schema().validate(variant).forEach(e -> errors.add(e + " | " + e.message()));
                try {
                    schema().parse(variant);
                } catch (InvalidSettingsException e) {
                    errors.add(e.getMessage());
                }
            }
            Map<String, Object> without = new LinkedHashMap<>(raw);
            without.remove(s.name());
            schema().validate(without).forEach(e -> errors.add(e + " | " + e.message()));
        }
        shown.put("SettingError messages", String.join("\n", errors));

        Settings settings = parseWithCanaries(canaries);
        List<String> reasons = new ArrayList<>();
        boolean inject = hasBehavior(Capability.RETRYABLE_ERRORS) && canInjectFailures();
        try {
            Destination destination = provider().create(settings, DestinationContext.named("conformance-" + provider().id()));
            destination.open();
            shown.put("Destination.health() after open", String.valueOf(destination.health()));
            exerciseDelivery(new DeliveryRun(provider().id(), destination, policy().withMaxAttempts(3), timeout()),
                    inject, reasons, shown);
        } catch (RuntimeException e) {
            reasons.add(stackTrace(e));
        }
        shown.put("outcome reasons and exceptions", String.join("\n", reasons));
        return shown;
    }

    private void exerciseDelivery(DeliveryRun run, boolean inject, List<String> reasons, Map<String, String> shown)
            throws Exception {
        try (run) {
            if (inject) {
                target().injectRetryableFailures(1);
            }
            run.offer(smallEvents(1, "secret-user").get(0));
            if (hasBehavior(Capability.REJECTING_OVERSIZE_EVENTS) && run.limits().maxBytes() < LARGEST_OVERSIZE_EVENT) {
                run.offer(oversizeEvent(run.destination(), run.limits().maxBytes()));
            }
            try {
                run.flush();
            } catch (AssertionError e) {
                reasons.add(e.getMessage());
            }
            run.retries().forEach(r -> reasons.add("retryable: " + r.reason()));
            run.failures().forEach(f -> reasons.add("rejected: " + f.reason()));
            run.requests().stream().filter(r -> r.error() != null).forEach(r -> reasons.add(stackTrace(r.error())));
            shown.put("Destination.health() after delivering", String.valueOf(run.destination().health()));
        }
    }

    private static void assertNoLeak(SecretCanaries canaries, List<String> odd, Map<String, String> shown) {
        List<String> leaks = new ArrayList<>();
        shown.forEach((where, text) -> canaries.leakIn(text, odd).ifPresent(what -> leaks.add(what + " appears in "
                + where + ": " + excerpt(text, canaries, odd))));
        assertThat(leaks).as("secret values shown in clear").isEmpty();
    }

    private static String excerpt(String text, SecretCanaries canaries, List<String> odd) {
        List<String> needles = new ArrayList<>(canaries.bySetting().values());
        odd.forEach(o -> needles.add(o.substring(0, Math.min(12, o.length()))));
        for (String needle : needles) {
            int at = text.indexOf(needle);
            if (at >= 0) {
                int from = Math.max(0, at - 80);
                int to = Math.min(text.length(), at + needle.length() + 40);
                return "..." + text.substring(from, to).replace('\n', ' ') + "...";
            }
        }
        return "";
    }

    private static String stackTrace(Throwable t) {
        StringWriter out = new StringWriter();
        t.printStackTrace(new PrintWriter(out));
        return out.toString();
    }

    private void note(String text) {
        if (reporter != null) {
            reporter.publishEntry("note", text);
        }
    }

}
