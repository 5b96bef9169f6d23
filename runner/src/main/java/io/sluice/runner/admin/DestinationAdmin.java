package io.sluice.runner.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.runner.config.SluiceConfig;
import io.sluice.runner.dashboard.Throughput;
import io.sluice.runner.plugins.Plugin;
import io.sluice.runner.plugins.PluginRegistry;
import io.sluice.runner.routing.DeliveryTally;
import io.sluice.runner.routing.Pipeline;
import io.sluice.core.spool.Backlog;
import io.sluice.runner.routing.Route;
import io.sluice.runner.routing.Source;
import io.sluice.runner.secrets.SecretBox;
import io.sluice.spi.Health;
import io.sluice.spi.settings.InvalidSettingsException;
import io.sluice.spi.settings.Secret;
import io.sluice.spi.settings.Setting;
import io.sluice.spi.settings.SettingError;
import io.sluice.spi.settings.Settings;
import io.sluice.spi.settings.SettingsSchema;
import io.undertow.util.StatusCodes;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * What the admin API does to destinations: list them (settings masked: a secret is only
 * {@code {"set":true}}), add one, edit its settings, switch it on or off, remove it. Each change is
 * checked by the provider's settings schema (every error, each with its field and rule), stored in
 * the {@link AdminState} (the local file, or PostgreSQL shared by several nodes), and applied to the
 * running {@link Pipeline} without a restart. A change made against a version someone else already
 * replaced answers 409 {@code conflict} with the current state; other nodes' changes are applied
 * as the store reports them ({@link LiveConfig}).
 *
 * <p>Secret settings are write-only: an edit that leaves a secret out (or empty) keeps the stored
 * value; {@code {"clear":true}} removes it. Changes are made one at a time. A dry run checks a
 * change exactly as it would be made, and stores and applies nothing.
 */
public final class DestinationAdmin {

    /** Names go into URLs, metrics labels and the spool: a small alphabet. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]{0,127}");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final LiveConfig live;
    private final PluginRegistry registry;
    private final Pipeline pipeline;
    private final AdminState state;
    private final SecretBox box;
    private final Throughput throughput;
    private final Duration rebuildTimeout;
    private final String instanceId;

    /**
     * @param configured the configuration as the YAML file gives it (the pipeline runs it with the stored changes applied)
     */
    public DestinationAdmin(SluiceConfig configured, PluginRegistry registry, Pipeline pipeline,
                            AdminState state, SecretBox box, Throughput throughput) {
        this.live = new LiveConfig(configured, registry, pipeline, state);
        this.instanceId = configured.server().instanceId();
        this.registry = registry;
        this.pipeline = pipeline;
        this.state = state;
        this.box = box;
        this.throughput = throughput;
        this.rebuildTimeout = configured.admin().rebuildTimeout();
    }

    /** The source each destination of the configuration file belongs to. */
    private Map<String, String> configuredSource() {
        Map<String, String> sources = new LinkedHashMap<>();
        live.configured().sources().forEach(s -> s.destinations().forEach(d -> sources.put(d.name(), s.name())));
        return sources;
    }

    /** Applies what another node changed in the shared store. */
    public synchronized void refresh() {
        live.refresh();
    }

    /**
     * Applies a re-read configuration file (SIGHUP): its destinations' differences at once.
     *
     * @return the sections that changed and take a restart
     */
    public synchronized List<String> reload(SluiceConfig file) {
        return live.reload(file);
    }

    /** Starts applying other nodes' changes as the store reports them. */
    public void watchStore() {
        state.watch(this::refresh);
    }

    /** {@code GET /api/sources}. */
    public ObjectNode sources() {
        ObjectNode root = JSON.createObjectNode();
        // Counts and buffers are this node's own: the dashboard says which node it is.
        root.put("instance", instanceId);
        ArrayNode sources = root.putArray("sources");
        for (Source source : pipeline.sources()) {
            ObjectNode s = sources.addObject().put("name", source.name());
            ArrayNode destinations = s.putArray("destinations");
            source.routes().forEach(route -> destinations.add(view(route)));
        }
        return root;
    }

    /** {@code GET /api/sources/{source}/destinations/{name}}. */
    public ObjectNode destination(String source, String name) {
        return view(route(source, name));
    }

    /** {@code GET /api/types}: each destination type with its settings as JSON Schema 2020-12. */
    public ObjectNode types() {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode types = root.putArray("types");
        for (Plugin plugin : registry.all()) {
            ObjectNode t = types.addObject()
                    .put("id", plugin.id())
                    .put("integrationName", plugin.provider().integrationName())
                    .put("description", plugin.provider().description());
            try {
                t.set("schema", JSON.readTree(plugin.provider().settingsSchema().toJsonSchema()));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("the " + plugin.id() + " plugin's JSON Schema is not JSON", e);
            }
        }
        return root;
    }

    /** {@code GET /api/throughput}: per destination, delivered and failed events per 10 s over the last {@code minutes}. */
    public ObjectNode throughput(int minutes) {
        ObjectNode root = JSON.createObjectNode();
        root.put("minutes", minutes);
        root.put("bucketSeconds", Throughput.BUCKET.toSeconds());
        ArrayNode list = root.putArray("destinations");
        for (Route route : pipeline.routes()) {
            Throughput.Window window = throughput.window(route.name(), minutes);
            ObjectNode d = list.addObject().put("source", route.source()).put("name", route.name())
                    .put("start", window.start().toString());
            ArrayNode delivered = d.putArray("delivered");
            for (long v : window.delivered()) {
                delivered.add(v);
            }
            ArrayNode failed = d.putArray("failed");
            for (long v : window.failed()) {
                failed.add(v);
            }
        }
        return root;
    }

    /**
     * {@code POST /api/sources/{source}/destinations}: {@code {"type","name"?,"enabled"?,"settings":{...}}}.
     * Without a name the destination is called {@code source/type}, or {@code source/type-2} (and so on)
     * when that is taken. A dry run only checks, and answers {@link #checked}.
     */
    public synchronized ObjectNode add(String sourceName, JsonNode body, boolean dryRun) {
        live.refresh(); // another node's latest change first: it is what this one is checked against
        Source source = source(sourceName);
        requireObject(body);
        List<SettingError> errors = new ArrayList<>();
        String type = body.path("type").isTextual() ? body.get("type").asText().trim() : "";
        Optional<Plugin> plugin = type.isEmpty() ? Optional.empty() : registry.find(type);
        if (type.isEmpty()) {
            errors.add(new SettingError("type", "required", "type: is required; known types are "
                    + String.join(", ", registry.ids())));
        } else if (plugin.isEmpty()) {
            errors.add(new SettingError("type", "one_of", "type: must be one of " + String.join(", ", registry.ids())));
        }
        String name = body.path("name").isTextual() && !body.get("name").asText().isBlank()
                ? body.get("name").asText().trim() : defaultName(source.name(), type);
        if (!NAME.matcher(name).matches()) {
            errors.add(new SettingError("name", "pattern", "name: must be 1 to 128 letters, digits, '.', '_', '/' or '-',"
                    + " starting with a letter or digit"));
        } else if (taken(name, source.name())) {
            errors.add(new SettingError("name", "unique", "name: " + name
                    + " is already used by another destination; give this one its own name"));
        }
        boolean enabled = enabledIn(body, true, errors);
        JsonNode given = settingsIn(body, errors);
        Map<String, Object> raw = new LinkedHashMap<>();
        Map<String, Object> stored = new LinkedHashMap<>();
        Optional<Settings> settings = Optional.empty();
        if (plugin.isPresent()) {
            SettingsSchema schema = plugin.get().provider().settingsSchema();
            read(schema, given, raw, stored, new HashSet<>());
            settings = parse(schema, raw, errors);
        }
        if (!errors.isEmpty()) {
            throw invalid(errors);
        }
        requireKeyFor(stored);
        if (dryRun) {
            return checked(name);
        }
        SluiceConfig.Destination destination = new SluiceConfig.Destination(name, type, settings.orElseThrow(),
                live.configured().delivery());
        Optional<StoredDestination> before = state.get(name);
        long version = state.version(name);
        store(StoredDestination.defined(source.name(), name, type, enabled, stored), version,
                () -> new AdminException(StatusCodes.CONFLICT, "conflict", "name: " + name
                        + " was just taken by a change made elsewhere; reload and pick another name"));
        Route route;
        try {
            route = pipeline.add(source.name(), destination, enabled);
        } catch (RuntimeException e) {
            undo(name, before);
            throw refused(e);
        }
        return view(route);
    }

    /**
     * {@code PUT /api/sources/{source}/destinations/{name}}: {@code {"settings":{...},"enabled"?}}. The
     * settings given replace the old ones, except secrets left out or empty, which keep their value.
     * The destination is rebuilt at once (see {@link Pipeline#replace}). A dry run only checks, and
     * answers {@link #checked}.
     */
    public synchronized ObjectNode update(String sourceName, String name, JsonNode body, long expectedVersion,
                                          boolean dryRun) {
        live.refresh(); // another node's latest change first: it is what this one is checked against
        Route route = route(sourceName, name);
        requireObject(body);
        SluiceConfig.Destination old = route.definition();
        SettingsSchema schema = registry.find(old.type()).orElseThrow().provider().settingsSchema();
        List<SettingError> errors = new ArrayList<>();
        if (body.has("type") && !old.type().equals(body.path("type").asText())) {
            errors.add(new SettingError("type", "immutable", "type: cannot change (this is a " + old.type()
                    + " destination); remove it and add a new one"));
        }
        boolean enabled = enabledIn(body, route.enabled(), errors);
        JsonNode given = settingsIn(body, errors);
        if (body.path("settings").isNull() || body.path("settings").isMissingNode()) {
            errors.add(new SettingError("settings", "required", "settings: is required: every setting the destination"
                    + " should have (a secret left out keeps its stored value)"));
        }
        Map<String, Object> raw = new LinkedHashMap<>();
        Map<String, Object> stored = new LinkedHashMap<>();
        Set<String> setOrCleared = new HashSet<>();
        read(schema, given, raw, stored, setOrCleared);
        Optional<Map<String, Object>> previous = state.get(name).flatMap(StoredDestination::settings);
        Optional<SluiceConfig.Destination> fromFile = configuredDestination(name);
        for (Setting setting : schema.settings()) {
            if (!setting.isSecret() || setOrCleared.contains(setting.name())) {
                continue;
            }
            Object kept = previous.isPresent() ? previous.get().get(setting.name())
                    : fromFile.flatMap(d -> d.settings().secret(setting.name())).isPresent() ? StoredDestination.FROM_CONFIG : null;
            if (kept != null) {
                stored.put(setting.name(), kept);
                AdminState.raw(Map.of(setting.name(), kept), fromFile.map(SluiceConfig.Destination::settings))
                        .forEach(raw::put);
            }
        }
        Optional<Settings> settings = parse(schema, raw, errors);
        if (!errors.isEmpty()) {
            throw invalid(errors);
        }
        requireKeyFor(stored);
        if (dryRun) {
            return checked(name);
        }
        SluiceConfig.Destination destination = new SluiceConfig.Destination(name, old.type(), settings.orElseThrow(),
                old.delivery());
        Optional<StoredDestination> before = state.get(name);
        store(StoredDestination.defined(route.source(), name, old.type(), enabled, stored),
                checked(name, expectedVersion), () -> conflict(sourceName, name));
        try {
            pipeline.replace(route.source(), destination, enabled, rebuildTimeout);
        } catch (RuntimeException e) {
            undo(name, before);
            throw refused(e);
        }
        return destination(route.source(), name);
    }

    /** {@code POST .../{name}/enable} and {@code .../disable}, or {@code PATCH {"enabled":...}}. */
    public synchronized ObjectNode setEnabled(String sourceName, String name, boolean enabled, long expectedVersion) {
        live.refresh(); // another node's latest change first: it is what this one is checked against
        Route route = route(sourceName, name);
        Optional<StoredDestination> before = state.get(name);
        StoredDestination entry = before.filter(e -> !e.removed()).map(e -> e.withEnabled(enabled))
                .orElse(StoredDestination.switched(route.source(), name, enabled));
        store(entry, checked(name, expectedVersion), () -> conflict(sourceName, name));
        try {
            pipeline.setEnabled(route.source(), name, enabled);
        } catch (RuntimeException e) {
            undo(name, before);
            throw refused(e);
        }
        return destination(route.source(), name);
    }

    /** {@code DELETE /api/sources/{source}/destinations/{name}}. */
    public synchronized ObjectNode remove(String sourceName, String name, long expectedVersion) {
        live.refresh(); // another node's latest change first: it is what this one is checked against
        Route route = route(sourceName, name);
        Optional<StoredDestination> before = state.get(name);
        long version = checked(name, expectedVersion);
        try {
            if (configuredSource().containsKey(name)) {
                state.put(StoredDestination.removal(route.source(), name), version);
            } else {
                state.delete(name, version);
            }
        } catch (AdminStore.StaleVersionException e) {
            throw conflict(sourceName, name);
        }
        int left;
        try {
            left = pipeline.remove(route.source(), name, rebuildTimeout);
        } catch (RuntimeException e) {
            undo(name, before);
            throw refused(e);
        }
        return JSON.createObjectNode().put("success", true).put("removed", name).put("deadLettered", left);
    }

    /** {@code source/type}, or the first free of {@code source/type-2}, {@code -3}, ... */
    private String defaultName(String source, String type) {
        String base = source + "/" + type;
        String name = base;
        for (int n = 2; taken(name, source); n++) {
            name = base + "-" + n;
        }
        return name;
    }

    /** Used by a running destination, or kept by the configuration file for another source. */
    private boolean taken(String name, String source) {
        Map<String, String> configured = configuredSource();
        return pipeline.routes().stream().anyMatch(r -> r.name().equals(name))
                || (configured.containsKey(name) && !configured.get(name).equals(source));
    }

    /** The answer to a dry run that found nothing wrong. */
    private static ObjectNode checked(String name) {
        return JSON.createObjectNode().put("success", true).put("dryRun", true).put("name", name);
    }

    private void undo(String name, Optional<StoredDestination> before) {
        if (before.isPresent()) {
            state.put(before.get(), -1);
        } else {
            state.delete(name, -1);
        }
    }

    /**
     * The version a change must find stored: the one the caller read ({@code expectedVersion}), or,
     * when it sent none, the one this node holds (so it never overwrites a change it has not seen).
     */
    private long checked(String name, long expectedVersion) {
        return expectedVersion >= 0 ? expectedVersion : state.version(name);
    }

    /** Stores a change; someone else's change first is answered by {@code conflict}. */
    private void store(StoredDestination entry, long expectedVersion, java.util.function.Supplier<AdminException> conflict) {
        try {
            state.put(entry, expectedVersion);
        } catch (AdminStore.StaleVersionException e) {
            throw conflict.get();
        }
    }

    /** 409 with the destination as it now is, after taking in the change that won. */
    private AdminException conflict(String sourceName, String name) {
        live.refresh();
        ObjectNode current = pipeline.source(sourceName).flatMap(s -> s.route(name)).map(this::view).orElse(null);
        return new ConflictException("someone else changed " + name + " first (it is now at version "
                + state.version(name) + "); your change was not saved: review the current settings and make it again",
                current);
    }

    private static AdminException refused(RuntimeException e) {
        if (e instanceof AdminException admin) {
            return admin;
        }
        if (e instanceof IllegalStateException) {
            return new AdminException(StatusCodes.SERVICE_UNAVAILABLE, "shutting_down", e.getMessage());
        }
        return new AdminException(StatusCodes.BAD_REQUEST, "cannot_create", e.getMessage());
    }

    /** The typed settings, checked once; empty with every broken rule added to {@code errors}. */
    private static Optional<Settings> parse(SettingsSchema schema, Map<String, Object> raw, List<SettingError> errors) {
        try {
            return Optional.of(schema.parse(raw));
        } catch (InvalidSettingsException e) {
            errors.addAll(e.errors());
            return Optional.empty();
        }
    }

    /**
     * Splits given settings into what the schema reads ({@code raw}) and what is stored (secrets as
     * {@link Secret}). A secret given empty is left out (kept, on an edit); {@code {"clear":true}}
     * is left out and noted in {@code setOrCleared}, as is a new value.
     */
    private static void read(SettingsSchema schema, JsonNode given, Map<String, Object> raw, Map<String, Object> stored,
                             Set<String> setOrCleared) {
        if (given == null) {
            return;
        }
        for (Map.Entry<String, JsonNode> field : given.properties()) {
            String key = field.getKey();
            JsonNode value = field.getValue();
            boolean secret = schema.setting(key).map(Setting::isSecret).orElse(false);
            if (secret) {
                if (value.isObject() && value.path("clear").asBoolean(false)) {
                    setOrCleared.add(key);
                } else if (value.isObject() && value.path("set").isBoolean()) {
                    // the masked form read back ({"set":true,"from":...}): keep
                } else if (value.isTextual() && !value.asText().isEmpty()) {
                    raw.put(key, value.asText());
                    stored.put(key, new Secret(value.asText()));
                    setOrCleared.add(key);
                } else if (value.isObject() && !value.isEmpty() && secretMap(value)) {
                    // a map whose values are secret: each value stored sealed
                    Map<String, Object> texts = new java.util.LinkedHashMap<>();
                    Map<String, Secret> secrets = new java.util.LinkedHashMap<>();
                    value.properties().forEach(e -> {
                        texts.put(e.getKey(), e.getValue().asText());
                        secrets.put(e.getKey(), new Secret(e.getValue().asText()));
                    });
                    raw.put(key, texts);
                    stored.put(key, secrets);
                    setOrCleared.add(key);
                } else if (!value.isNull() && !(value.isTextual())) {
                    raw.put(key, AdminState.plain(value)); // the schema says why it is not text
                    setOrCleared.add(key);
                }
                continue;
            }
            Object plain = AdminState.plain(value);
            if (plain != null && !(plain instanceof String s && s.isEmpty())) {
                raw.put(key, plain);
                stored.put(key, plain);
            }
        }
    }

    /** An object of text values only: what a form sends for a map setting. */
    private static boolean secretMap(JsonNode value) {
        for (Map.Entry<String, JsonNode> e : value.properties()) {
            if (!e.getValue().isTextual()) {
                return false;
            }
        }
        return true;
    }

    private void requireKeyFor(Map<String, Object> stored) {
        boolean secrets = stored.values().stream().anyMatch(v -> v instanceof Secret
                || (v instanceof Map<?, ?> m && m.values().stream().anyMatch(Secret.class::isInstance)));
        if (secrets && !box.canSeal()) {
            throw new AdminException(StatusCodes.BAD_REQUEST, "no_secret_key",
                    "secret settings are stored encrypted, and no key is configured: set SLUICE_SECRET_KEY (the base64 of"
                            + " 32 random bytes: openssl rand -base64 32) or admin.keyFile, and restart Sluice");
        }
    }

    private static AdminException invalid(List<SettingError> errors) {
        String message = errors.size() == 1 ? errors.get(0).message()
                : errors.size() + " settings are not valid: " + errors.get(0).message() + "; ...";
        return new AdminException(StatusCodes.BAD_REQUEST, "invalid_settings", message, errors);
    }

    private static void requireObject(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new AdminException(StatusCodes.BAD_REQUEST, "invalid_json", "the body must be a JSON object");
        }
    }

    private static boolean enabledIn(JsonNode body, boolean otherwise, List<SettingError> errors) {
        JsonNode on = body.get("enabled");
        if (on == null || on.isNull()) {
            return otherwise;
        }
        if (!on.isBoolean()) {
            errors.add(new SettingError("enabled", "type", "enabled: must be true or false"));
            return otherwise;
        }
        return on.booleanValue();
    }

    private static JsonNode settingsIn(JsonNode body, List<SettingError> errors) {
        JsonNode settings = body.get("settings");
        if (settings == null || settings.isNull()) {
            return null;
        }
        if (!settings.isObject()) {
            errors.add(new SettingError("settings", "type", "settings: must be an object of setting names and values"));
            return null;
        }
        return settings;
    }

    private Optional<SluiceConfig.Destination> configuredDestination(String name) {
        return live.configured().sources().stream().flatMap(s -> s.destinations().stream())
                .filter(d -> d.name().equals(name)).findFirst();
    }

    private Source source(String name) {
        return pipeline.source(name).orElseThrow(
                () -> new AdminException(StatusCodes.NOT_FOUND, "not_found", "no source named " + name));
    }

    private Route route(String sourceName, String name) {
        return source(sourceName).route(name).orElseThrow(() -> new AdminException(StatusCodes.NOT_FOUND, "not_found",
                "source " + sourceName + " has no destination named " + name));
    }

    private ObjectNode view(Route route) {
        ObjectNode d = JSON.createObjectNode();
        d.put("name", route.name());
        d.put("source", route.source());
        d.put("type", route.type());
        d.put("integrationName", route.integrationName());
        d.put("enabled", route.enabled());
        d.put("origin", configuredSource().containsKey(route.name()) ? "config" : "dashboard");
        d.put("version", state.version(route.name()));
        d.put("edited", state.get(route.name()).flatMap(StoredDestination::settings).isPresent());
        Health health = route.health();
        d.putObject("health").put("status", health.status().name().toLowerCase(Locale.ROOT)).put("message", health.message());
        d.put("bufferedEvents", route.bufferedEvents());
        Backlog backlog = route.backlog();
        d.put("backlogEvents", backlog.events());
        d.put("backlogBytes", backlog.bytes());
        d.put("oldestEventAgeSeconds", backlog.oldest()
                .map(o -> Math.max(0, Duration.between(o, Instant.now()).toSeconds())).orElse(0L));
        DeliveryTally tally = route.tally();
        d.putObject("counts").put("delivered", tally.delivered())
                .put("failed", tally.failures().values().stream().mapToLong(Long::longValue).sum())
                .put("retried", tally.retried());
        d.set("settings", masked(route.definition().settings(), secretOrigin(route.name())));
        return d;
    }

    /**
     * Where a set secret's value comes from: {@code "dashboard"} (stored encrypted in the state file)
     * or {@code "config"} (the configuration file, written there or through {@code ${env:}}).
     */
    private Function<String, String> secretOrigin(String name) {
        Optional<Map<String, Object>> stored = state.get(name).flatMap(StoredDestination::settings);
        return setting -> stored.isPresent()
                ? (stored.get().get(setting) == StoredDestination.FROM_CONFIG ? "config" : "dashboard")
                : (configuredSource().containsKey(name) ? "config" : "dashboard");
    }

    /**
     * Every declared setting with a value; a secret is only {@code {"set":true,"from":origin}} or
     * {@code {"set":false}}.
     */
    static ObjectNode masked(Settings settings, Function<String, String> secretOrigin) {
        ObjectNode out = JSON.createObjectNode();
        Map<String, Object> visible = settings.masked();
        for (Setting setting : settings.schema().settings()) {
            if (setting.isSecret()) {
                boolean set = settings.has(setting.name());
                ObjectNode secret = out.putObject(setting.name()).put("set", set);
                if (set) {
                    secret.put("from", secretOrigin.apply(setting.name()));
                }
            } else if (visible.containsKey(setting.name())) {
                Object value = visible.get(setting.name());
                if (value instanceof URI uri) {
                    out.put(setting.name(), uri.toString());
                } else {
                    out.set(setting.name(), JSON.valueToTree(value));
                }
            }
        }
        return out;
    }
}
