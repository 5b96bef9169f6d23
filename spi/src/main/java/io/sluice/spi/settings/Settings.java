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

    /** A secret setting, or a uri setting made secret. */
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

    /** A uri setting; a secret one is revealed here, so never log or print what this returns. */
    public Optional<URI> uri(String name) {
        Object value = values.get(declared(name));
        return Optional.ofNullable(value instanceof Secret s ? URI.create(s.reveal()) : (URI) value);
    }

    /**
     * A map setting whose values are not secret; empty map when absent.
     *
     * @throws IllegalArgumentException for a map whose values are secret: read it with {@link #secretMap}
     * @since 0.2.0
     */
    @SuppressWarnings("unchecked")
    public Map<String, String> map(String name) {
        if (schema.setting(declared(name)).map(Setting::isSecret).orElse(false)) {
            throw new IllegalArgumentException("setting " + name + " holds secrets; read it with secretMap");
        }
        return (Map<String, String>) values.getOrDefault(name, Map.of());
    }

    /**
     * A map setting made {@link Setting#sensitive()}, each value a {@link Secret}; empty map when absent.
     *
     * @since 0.2.0
     */
    @SuppressWarnings("unchecked")
    public Map<String, Secret> secretMap(String name) {
        if (!schema.setting(declared(name)).map(Setting::isSecret).orElse(false)) {
            throw new IllegalArgumentException("setting " + name + " holds no secrets; read it with map");
        }
        return (Map<String, Secret>) values.getOrDefault(name, Map.of());
    }

    /**
     * A list setting's values as text (a list of URIs as their text); empty list when absent.
     *
     * @since 0.2.0
     */
    @SuppressWarnings("unchecked")
    public java.util.List<String> list(String name) {
        return ((java.util.List<Object>) values.getOrDefault(declaredList(name), java.util.List.of())).stream()
                .map(Object::toString).toList();
    }

    /**
     * A list setting declared with {@link Setting#uriList}, as URIs; empty list when absent.
     *
     * @throws IllegalArgumentException for a list of text: read it with {@link #list}
     * @since 0.2.0
     */
    @SuppressWarnings("unchecked")
    public java.util.List<URI> uriList(String name) {
        if (schema.setting(declaredList(name)).flatMap(Setting::elementType).orElseThrow() != SettingType.URI) {
            throw new IllegalArgumentException("setting " + name + " is a list of text; read it with list");
        }
        return (java.util.List<URI>) values.getOrDefault(name, java.util.List.of());
    }

    private String declaredList(String name) {
        if (schema.setting(declared(name)).get().type() != SettingType.LIST) {
            throw new IllegalArgumentException("setting " + name + " is not a list");
        }
        return name;
    }

    /** The values with every secret replaced by {@link Secret#MASK}: safe to show or export. */
    public Map<String, Object> masked() {
        Map<String, Object> copy = new LinkedHashMap<>();
        values.forEach((k, v) -> copy.put(k, mask(v)));
        return copy;
    }

    /**
     * Every secret value these settings hold, revealed: for a runner to blank out of what a plugin
     * writes (exception messages, health). Never show what this returns.
     *
     * @since 0.2.0
     */
    public java.util.List<String> secretValues() {
        java.util.List<String> secrets = new java.util.ArrayList<>();
        for (Object v : values.values()) {
            if (v instanceof Secret s) {
                secrets.add(s.reveal());
            } else if (v instanceof Map<?, ?> m) {
                m.values().stream().filter(Secret.class::isInstance).map(x -> ((Secret) x).reveal()).forEach(secrets::add);
            }
        }
        return secrets;
    }

    private static Object mask(Object value) {
        if (value instanceof Secret) {
            return Secret.MASK;
        }
        if (value instanceof Map<?, ?> m) {
            Map<Object, Object> masked = new LinkedHashMap<>();
            m.forEach((k, v) -> masked.put(k, v instanceof Secret ? Secret.MASK : v));
            return masked;
        }
        return value;
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
