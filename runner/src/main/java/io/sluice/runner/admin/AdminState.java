package io.sluice.runner.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.runner.config.PlainValues;
import io.sluice.runner.config.SluiceConfig;
import io.sluice.runner.plugins.Plugin;
import io.sluice.runner.plugins.PluginRegistry;
import io.sluice.runner.secrets.SecretBox;
import io.sluice.spi.settings.InvalidSettingsException;
import io.sluice.spi.settings.Secret;
import io.sluice.spi.settings.Settings;
import io.sluice.spi.settings.SettingsSchema;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The changes made through the admin API, applied on top of the YAML configuration (a stored
 * change wins over the file). They are kept in an {@link AdminStore}: the local JSON file by
 * default, or PostgreSQL shared by several nodes. Secret setting values are sealed with
 * {@link SecretBox} (AES-256-GCM) before they reach either; other settings are kept in clear.
 * One entry per destination:
 *
 * <pre>{"source":"web","name":"web/kinesis","type":"kinesis","enabled":true,
 *  "settings":{"stream":"events","region":"us-east-1","accessKeyId":"AKIA...",
 *              "secretAccessKey":{"alg":"A256GCM","kid":"...","nonce":"...","ct":"..."}}}
 * {"source":"web","name":"web/memory","enabled":false}
 * {"source":"web","name":"web/old","removed":true}</pre>
 *
 * <p>A secret a configured destination still takes from the YAML file (an edit that left it
 * unchanged) is stored as {@code {"fromConfig":true}}, so it keeps following its {@code ${env:}}.
 * Each entry carries a version (the store's revision that wrote it; 0: none stored), so that a
 * change made against a stale view is refused instead of overwriting another's.
 */
public final class AdminState implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AdminState.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AdminStore store;
    private final SecretBox box;
    private final Map<String, StoredDestination> entries = new LinkedHashMap<>();
    private final Map<String, Long> versions = new HashMap<>();
    private long revision = -1;

    private AdminState(AdminStore store, SecretBox box) {
        this.store = store;
        this.box = box;
    }

    /** The destinations after the stored changes, and which of them are switched off. */
    public record Applied(SluiceConfig config, Set<String> disabled) {}

    /** The local state file: one node's changes. */
    public static AdminState load(Path file, SecretBox box) {
        return load(new FileAdminStore(file), box);
    }

    /**
     * Reads the store and opens its secrets. Values sealed with a previous key are sealed again
     * with the current key, and written back.
     *
     * @throws IllegalStateException naming the store when it cannot be read, or a secret cannot be
     *                               opened with the configured keys
     */
    static AdminState load(AdminStore store, SecretBox box) {
        AdminState state = new AdminState(store, box);
        AdminStore.Snapshot snapshot = store.readIfNewer(-1).orElseThrow();
        int resealed = state.take(snapshot);
        if (resealed > 0) {
            for (StoredDestination entry : List.copyOf(state.entries.values())) {
                try {
                    state.put(entry, state.version(entry.name()));
                } catch (AdminStore.StaleVersionException e) {
                    // another node sharing the store changed it first (or re-encrypted it too)
                }
            }
            state.refresh();
            LOG.info("{}: {} secret setting(s) were encrypted with a previous key and are now encrypted with the "
                    + "current key {}", store.describe(), resealed, box.keys().currentId().orElse("?"));
        }
        return state;
    }

    /**
     * Reads the store again if another node changed it.
     *
     * @return whether the store's revision moved on
     * @throws IllegalStateException when a stored entry cannot be read
     */
    public synchronized boolean refresh() {
        Optional<AdminStore.Snapshot> snapshot = store.readIfNewer(revision);
        snapshot.ifPresent(this::take);
        return snapshot.isPresent();
    }

    /** Replaces what is held by {@code snapshot}; the number of secrets sealed with a previous key. */
    private int take(AdminStore.Snapshot snapshot) {
        Map<String, StoredDestination> read = new LinkedHashMap<>();
        Map<String, Long> readVersions = new HashMap<>();
        int[] resealed = {0};
        for (AdminStore.Row row : snapshot.rows()) {
            read.put(row.name(), entry(row.entry(), resealed));
            readVersions.put(row.name(), row.version());
        }
        entries.clear();
        entries.putAll(read);
        versions.clear();
        versions.putAll(readVersions);
        revision = snapshot.revision();
        return resealed[0];
    }

    private StoredDestination entry(JsonNode item, int[] resealed) {
        String where = store.describe();
        String source = item.path("source").asText("");
        String name = item.path("name").asText("");
        if (source.isEmpty() || name.isEmpty()) {
            throw new IllegalStateException(where + ": every entry needs a source and a name");
        }
        if (item.path("removed").asBoolean(false)) {
            return StoredDestination.removal(source, name);
        }
        Optional<String> type = item.path("type").isTextual() ? Optional.of(item.get("type").asText()) : Optional.empty();
        Optional<Boolean> enabled = item.path("enabled").isBoolean()
                ? Optional.of(item.get("enabled").booleanValue()) : Optional.empty();
        Optional<Map<String, Object>> settings = Optional.empty();
        if (item.path("settings").isObject()) {
            Map<String, Object> values = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> field : item.get("settings").properties()) {
                JsonNode value = field.getValue();
                if (sealedMap(value)) {
                    Map<String, Secret> secrets = new LinkedHashMap<>();
                    for (Map.Entry<String, JsonNode> e : value.properties()) {
                        secrets.put(e.getKey(), new Secret(box.open(e.getValue(),
                                context(source, name, field.getKey() + "/" + e.getKey()))));
                        resealed[0] += box.sealedWithCurrentKey(e.getValue()) ? 0 : 1;
                    }
                    values.put(field.getKey(), secrets);
                } else if (SecretBox.isEnvelope(value)) {
                    try {
                        values.put(field.getKey(), new Secret(box.open(value, context(source, name, field.getKey()))));
                    } catch (RuntimeException e) {
                        throw new IllegalStateException(where + ": " + e.getMessage(), e);
                    }
                    if (!box.sealedWithCurrentKey(value)) {
                        resealed[0]++;
                    }
                } else if (value.path("fromConfig").asBoolean(false)) {
                    values.put(field.getKey(), StoredDestination.FROM_CONFIG);
                } else {
                    values.put(field.getKey(), plain(value));
                }
            }
            settings = Optional.of(values);
            if (type.isEmpty()) {
                throw new IllegalStateException(where + ": " + name + " has settings but no type");
            }
        }
        return new StoredDestination(source, name, type, enabled, settings, false);
    }

    /** A secret map as stored: an object whose every value is sealed. */
    private static boolean sealedMap(JsonNode value) {
        if (!value.isObject() || value.isEmpty() || SecretBox.isEnvelope(value)) {
            return false;
        }
        for (Map.Entry<String, JsonNode> e : value.properties()) {
            if (!SecretBox.isEnvelope(e.getValue())) {
                return false;
            }
        }
        return true;
    }

    /** A JSON value as a settings schema reads it. */
    static Object plain(JsonNode value) {
        return PlainValues.of(value, "", (text, path) -> text); // ${env:} is the configuration file's alone
    }

    /** Where a sealed value belongs; bound to it as associated data. */
    static String context(String source, String name, String field) {
        return "sluice admin state v1|" + source + "|" + name + "|" + field;
    }

    public synchronized Optional<StoredDestination> get(String name) {
        return Optional.ofNullable(entries.get(name));
    }

    /** The version of a destination's stored change; 0 when none is stored. */
    public synchronized long version(String name) {
        return versions.getOrDefault(name, 0L);
    }

    /** Where the changes are kept, for messages. */
    public String describe() {
        return store.describe();
    }

    /** Why the store cannot be reached now; empty while it can. */
    public Optional<String> problem() {
        return store.problem();
    }

    /** Sessions kept where the changes are. */
    SessionStore sessions() {
        return store.sessions();
    }

    /** Tells {@code changed} when another node may have changed the store. */
    void watch(Runnable changed) {
        store.watch(revision -> changed.run());
    }

    /**
     * Records a change, if the stored version is still {@code expectedVersion} (negative: any).
     *
     * @throws AdminStore.StaleVersionException when someone changed it first
     * @throws io.sluice.runner.secrets.SecretKeyException when a secret must be sealed and there is no key
     */
    public synchronized void put(StoredDestination entry, long expectedVersion) {
        long written = store.write(entry.name(), Optional.of(json(entry)), expectedVersion);
        entries.put(entry.name(), entry);
        versions.put(entry.name(), written);
    }

    /** Forgets a destination's stored change (one added in the dashboard and then removed). */
    public synchronized void delete(String name, long expectedVersion) {
        store.write(name, Optional.empty(), expectedVersion);
        entries.remove(name);
        versions.remove(name);
    }

    /**
     * The YAML configuration with the stored changes: removed destinations dropped, edited ones
     * replaced, added ones appended to their source. A change for a source the file no longer
     * has is ignored with a warning.
     *
     * @throws IllegalStateException listing every stored change that no longer makes a valid destination
     */
    public synchronized Applied apply(SluiceConfig config, PluginRegistry registry) {
        List<String> errors = new ArrayList<>();
        Set<String> disabled = new HashSet<>();
        Map<String, String> configuredSource = new HashMap<>();
        config.sources().forEach(s -> s.destinations().forEach(d -> configuredSource.put(d.name(), s.name())));
        Set<String> sourceNames = new HashSet<>();
        config.sources().forEach(s -> sourceNames.add(s.name()));
        for (StoredDestination stored : entries.values()) {
            if (!sourceNames.contains(stored.source())) {
                LOG.warn("{}: the stored change to {} is ignored: the configuration has no source {}", store.describe(),
                        stored.name(), stored.source());
            } else if (configuredSource.containsKey(stored.name()) && !configuredSource.get(stored.name()).equals(stored.source())) {
                errors.add(stored.name() + ": the configuration file defines it for source "
                        + configuredSource.get(stored.name()) + ", the admin state for source " + stored.source()
                        + "; rename one of them");
            }
        }
        List<SluiceConfig.Source> sources = new ArrayList<>();
        for (SluiceConfig.Source s : config.sources()) {
            List<SluiceConfig.Destination> destinations = new ArrayList<>();
            for (SluiceConfig.Destination d : s.destinations()) {
                StoredDestination stored = entries.get(d.name());
                if (stored == null || !stored.source().equals(s.name())) {
                    destinations.add(d);
                    continue;
                }
                if (stored.removed()) {
                    continue;
                }
                if (!stored.enabled().orElse(true)) {
                    disabled.add(d.name());
                }
                if (stored.settings().isEmpty()) {
                    destinations.add(d);
                } else {
                    build(stored, Optional.of(d), config, registry, errors).ifPresent(destinations::add);
                }
            }
            for (StoredDestination stored : entries.values()) {
                if (stored.source().equals(s.name()) && !stored.removed() && stored.settings().isPresent()
                        && !configuredSource.containsKey(stored.name())) {
                    build(stored, Optional.empty(), config, registry, errors).ifPresent(destinations::add);
                    if (!stored.enabled().orElse(true)) {
                        disabled.add(stored.name());
                    }
                }
            }
            sources.add(new SluiceConfig.Source(s.name(), s.writeKey(), destinations, s.allowedOrigins()));
        }
        if (!errors.isEmpty()) {
            throw new IllegalStateException(store.describe() + ": " + errors.size() + " stored change(s) cannot be applied:\n  "
                    + String.join("\n  ", errors));
        }
        return new Applied(config.withSources(sources), disabled);
    }

    private static Optional<SluiceConfig.Destination> build(StoredDestination stored, Optional<SluiceConfig.Destination> configured,
                                                            SluiceConfig config, PluginRegistry registry, List<String> errors) {
        String type = stored.type().orElseThrow();
        Optional<Plugin> plugin = registry.find(type);
        if (plugin.isEmpty()) {
            errors.add(stored.name() + ": unknown destination type '" + type + "'; known types are: "
                    + String.join(", ", registry.ids()));
            return Optional.empty();
        }
        SettingsSchema schema = plugin.get().provider().settingsSchema();
        Map<String, Object> raw = raw(stored.settings().orElseThrow(), configured.map(SluiceConfig.Destination::settings));
        Settings settings;
        try {
            settings = schema.parse(raw);
        } catch (InvalidSettingsException e) {
            e.errors().forEach(p -> errors.add(stored.name() + ".settings." + p.message()));
            return Optional.empty();
        }
        return Optional.of(new SluiceConfig.Destination(stored.name(), type, settings,
                configured.map(SluiceConfig.Destination::delivery).orElse(config.delivery())));
    }

    /** Stored values as a schema reads them: secrets revealed, {@link StoredDestination#FROM_CONFIG} looked up. */
    static Map<String, Object> raw(Map<String, Object> stored, Optional<Settings> configured) {
        Map<String, Object> raw = new LinkedHashMap<>();
        stored.forEach((field, value) -> {
            if (value == StoredDestination.FROM_CONFIG) {
                configured.filter(c -> c.schema().setting(field).isPresent()).ifPresent(c -> {
                    if (c.schema().setting(field).get().type() == io.sluice.spi.settings.SettingType.MAP) {
                        Map<String, Object> revealed = new LinkedHashMap<>();
                        c.secretMap(field).forEach((k, v) -> revealed.put(k, v.reveal()));
                        if (!revealed.isEmpty()) {
                            raw.put(field, revealed);
                        }
                    } else {
                        c.secret(field).ifPresent(secret -> raw.put(field, secret.reveal()));
                    }
                });
            } else if (value instanceof Secret secret) {
                raw.put(field, secret.reveal());
            } else if (value instanceof Map<?, ?> map && map.values().stream().anyMatch(Secret.class::isInstance)) {
                Map<String, Object> revealed = new LinkedHashMap<>();
                map.forEach((k, v) -> revealed.put(String.valueOf(k), v instanceof Secret s ? s.reveal() : v));
                raw.put(field, revealed);
            } else if (value != null) {
                raw.put(field, value);
            }
        });
        return raw;
    }

    /** One entry as stored, sealing secrets afresh (a new nonce each time, always with the current key). */
    private ObjectNode json(StoredDestination entry) {
        ObjectNode item = JSON.createObjectNode().put("source", entry.source()).put("name", entry.name());
        if (entry.removed()) {
            return item.put("removed", true);
        }
        entry.type().ifPresent(t -> item.put("type", t));
        entry.enabled().ifPresent(e -> item.put("enabled", e));
        entry.settings().ifPresent(settings -> {
            ObjectNode values = item.putObject("settings");
            settings.forEach((field, value) -> {
                if (value instanceof Secret secret) {
                    values.set(field, box.seal(secret.reveal(), context(entry.source(), entry.name(), field)));
                } else if (value instanceof Map<?, ?> map && map.values().stream().anyMatch(Secret.class::isInstance)) {
                    ObjectNode sealed = values.putObject(field);
                    map.forEach((k, v) -> sealed.set(String.valueOf(k), box.seal(((Secret) v).reveal(),
                            context(entry.source(), entry.name(), field + "/" + k))));
                } else if (value == StoredDestination.FROM_CONFIG) {
                    values.putObject(field).put("fromConfig", true);
                } else if (value instanceof BigInteger) {
                    values.put(field, value.toString());
                } else {
                    values.set(field, JSON.valueToTree(value));
                }
            });
        });
        return item;
    }

    @Override
    public void close() {
        store.close();
    }
}
