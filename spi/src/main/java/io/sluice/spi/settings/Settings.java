package io.sluice.spi.settings;

import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Validated settings, typed and completed with defaults. Made by {@link SettingsSchema#parse}.
 * {@link #toString()} and {@link #masked()} never show a secret.
 */
public final class Settings {

    private final SettingsSchema schema;
    private final Map<String, Object> values;

    Settings(SettingsSchema schema, Map<String, Object> values) {
        this.schema = schema;
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public SettingsSchema schema() {
        return schema;
    }

    /** Whether the setting has a value (given, or by default). */
    public boolean has(String name) {
        return values.containsKey(declared(name));
    }

    /** A string, enum or ARN setting that is required or defaulted. */
    public String string(String name) {
        return optionalString(name).orElseThrow(() -> absent(name));
    }

    /** A string, enum or ARN setting that may be absent. */
    public Optional<String> optionalString(String name) {
        return Optional.ofNullable((String) values.get(declared(name)));
    }

    public Optional<Secret> secret(String name) {
        return Optional.ofNullable((Secret) values.get(declared(name)));
    }

    public long integer(String name) {
        Object value = values.get(declared(name));
        if (value == null) {
            throw absent(name);
        }
        return (Long) value;
    }

    public boolean bool(String name) {
        Object value = values.get(declared(name));
        if (value == null) {
            throw absent(name);
        }
        return (Boolean) value;
    }

    public Optional<URI> uri(String name) {
        return Optional.ofNullable((URI) values.get(declared(name)));
    }

    /** The values with every secret replaced by {@link Secret#MASK}: safe to show or export. */
    public Map<String, Object> masked() {
        Map<String, Object> copy = new LinkedHashMap<>();
        values.forEach((k, v) -> copy.put(k, v instanceof Secret ? Secret.MASK : v));
        return copy;
    }

    private String declared(String name) {
        if (schema.setting(name).isEmpty()) {
            throw new IllegalArgumentException("no such setting: " + name);
        }
        return name;
    }

    private static IllegalStateException absent(String name) {
        return new IllegalStateException("setting " + name + " has no value; declare it required or give it a default");
    }

    @Override
    public String toString() {
        return "Settings" + masked();
    }
}
