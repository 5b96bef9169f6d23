package io.sluice.runner.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
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
 * The changes made through the admin API, kept in a JSON file and applied on top of the YAML
 * configuration at every start (a stored change wins over the file). Secret setting values are
 * sealed with {@link SecretBox} (AES-256-GCM); other settings are kept in clear. The file is
 * rewritten whole on every change: to a temporary file beside it, forced to disk, then moved over
 * it atomically, with owner-only permissions where the file system has them.
 *
 * <pre>{"version":1,"destinations":[
 *   {"source":"web","name":"web/kinesis","type":"kinesis","enabled":true,
 *    "settings":{"stream":"events","region":"us-east-1","accessKeyId":"AKIA...",
 *                "secretAccessKey":{"alg":"A256GCM","kid":"...","nonce":"...","ct":"..."}}},
 *   {"source":"web","name":"web/memory","enabled":false},
 *   {"source":"web","name":"web/old","removed":true}]}</pre>
 *
 * <p>A secret a configured destination still takes from the YAML file (an edit that left it
 * unchanged) is stored as {@code {"fromConfig":true}}, so it keeps following its {@code ${env:}}.
 */
public final class AdminState {

    private static final Logger LOG = LoggerFactory.getLogger(AdminState.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    static final int VERSION = 1;

    private final Path file;
    private final SecretBox box;
    private final Map<String, StoredDestination> entries = new LinkedHashMap<>();

    private AdminState(Path file, SecretBox box) {
        this.file = file;
        this.box = box;
    }

    /** The destinations after the stored changes, and which of them are switched off. */
    public record Applied(SluiceConfig config, Set<String> disabled) {}

    /**
     * Reads the state file (none yet: no changes) and opens its secrets. Values sealed with a
     * previous key are sealed again with the current key, and the file is rewritten.
     *
     * @throws IllegalStateException naming the file when it cannot be read, or a secret cannot be
     *                               opened with the configured keys
     */
    public static AdminState load(Path file, SecretBox box) {
        AdminState state = new AdminState(file, box);
        if (!Files.exists(file)) {
            return state;
        }
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(file + ": the admin state file is not valid JSON"
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()), e);
        } catch (IOException e) {
            throw new IllegalStateException(file + ": the admin state file cannot be read: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject() || root.path("version").asInt() != VERSION || !root.path("destinations").isArray()) {
            throw new IllegalStateException(file + ": not a Sluice admin state file (version " + VERSION + ")");
        }
        int resealed = 0;
        for (JsonNode item : root.get("destinations")) {
            String source = item.path("source").asText("");
            String name = item.path("name").asText("");
            if (source.isEmpty() || name.isEmpty()) {
                throw new IllegalStateException(file + ": every entry needs a source and a name");
            }
            if (item.path("removed").asBoolean(false)) {
                state.entries.put(name, StoredDestination.removal(source, name));
                continue;
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
                            resealed += box.sealedWithCurrentKey(e.getValue()) ? 0 : 1;
                        }
                        values.put(field.getKey(), secrets);
                    } else if (SecretBox.isEnvelope(value)) {
                        try {
                            values.put(field.getKey(), new Secret(box.open(value, context(source, name, field.getKey()))));
                        } catch (RuntimeException e) {
                            throw new IllegalStateException(file + ": " + e.getMessage(), e);
                        }
                        if (!box.sealedWithCurrentKey(value)) {
                            resealed++;
                        }
                    } else if (value.path("fromConfig").asBoolean(false)) {
                        values.put(field.getKey(), StoredDestination.FROM_CONFIG);
                    } else {
                        values.put(field.getKey(), plain(value));
                    }
                }
                settings = Optional.of(values);
                if (type.isEmpty()) {
                    throw new IllegalStateException(file + ": " + name + " has settings but no type");
                }
            }
            state.entries.put(name, new StoredDestination(source, name, type, enabled, settings, false));
        }
        if (resealed > 0) {
            state.save();
            LOG.info("{}: {} secret setting(s) were encrypted with a previous key and are now encrypted with the "
                    + "current key {}", file, resealed, box.keys().currentId().orElse("?"));
        }
        return state;
    }

    /** A JSON value as a settings schema reads it. */
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

    /**
     * Records a change and writes the file; on failure the change is undone and the error thrown.
     *
     * @throws io.sluice.runner.secrets.SecretKeyException when a secret must be sealed and there is no key
     */
    public synchronized void put(StoredDestination entry) {
        StoredDestination before = entries.put(entry.name(), entry);
        try {
            save();
        } catch (RuntimeException e) {
            restore(entry.name(), before);
            throw e;
        }
    }

    /** Forgets a destination's stored change (one added in the dashboard and then removed). */
    public synchronized void delete(String name) {
        StoredDestination before = entries.remove(name);
        try {
            save();
        } catch (RuntimeException e) {
            restore(name, before);
            throw e;
        }
    }

    private void restore(String name, StoredDestination before) {
        if (before == null) {
            entries.remove(name);
        } else {
            entries.put(name, before);
        }
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
                LOG.warn("{}: the stored change to {} is ignored: the configuration has no source {}", file,
                        stored.name(), stored.source());
            } else if (configuredSource.containsKey(stored.name()) && !configuredSource.get(stored.name()).equals(stored.source())) {
                errors.add(stored.name() + ": the configuration file defines it for source "
                        + configuredSource.get(stored.name()) + ", the state file for source " + stored.source()
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
            throw new IllegalStateException(file + ": " + errors.size() + " stored change(s) cannot be applied:\n  "
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

    /** Writes every entry, sealing secrets afresh (a new nonce each time, always with the current key). */
    synchronized void save() {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", VERSION);
        ArrayNode list = root.putArray("destinations");
        for (StoredDestination entry : entries.values()) {
            ObjectNode item = list.addObject().put("source", entry.source()).put("name", entry.name());
            if (entry.removed()) {
                item.put("removed", true);
                continue;
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
        }
        write(root);
    }

    private void write(ObjectNode root) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path temp = dir.resolve("." + file.getFileName() + ".tmp");
            Files.deleteIfExists(temp);
            try {
                Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(temp);
            }
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                channel.write(java.nio.ByteBuffer.wrap(JSON.writeValueAsBytes(root)));
                channel.force(true);
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": the admin state file cannot be written: " + e.getMessage(), e);
        }
    }
}
