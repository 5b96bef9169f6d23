package io.sluice.spi.settings;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A destination's settings, declared once: the declaration is at the same time validation,
 * defaults and documentation (Kafka's {@code ConfigDef} is the model).
 *
 * <p>{@link #validate} reports every broken rule of every field at once; {@link #parse} turns
 * valid raw values into typed {@link Settings} with defaults filled in; {@link #toJsonSchema()}
 * exports the declaration as JSON Schema 2020-12 for forms and documentation.
 */
public final class SettingsSchema {

    private final Map<String, Setting> settings;
    private final List<CrossCheck> crossChecks;

    private SettingsSchema(Map<String, Setting> settings, List<CrossCheck> crossChecks) {
        this.settings = Collections.unmodifiableMap(settings);
        this.crossChecks = List.copyOf(crossChecks);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The declared settings, in declaration order. */
    public List<Setting> settings() {
        return List.copyOf(settings.values());
    }

    public Optional<Setting> setting(String name) {
        return Optional.ofNullable(settings.get(name));
    }

    /** Every broken rule in {@code raw}, in declaration order; empty when it is valid. */
    public List<SettingError> validate(Map<String, ?> raw) {
        return check(raw).errors;
    }

    /** Typed settings with defaults applied, or {@link InvalidSettingsException} with every error. */
    public Settings parse(Map<String, ?> raw) {
        Checked checked = check(raw);
        if (!checked.errors.isEmpty()) {
            throw new InvalidSettingsException(checked.errors);
        }
        return checked.settings;
    }

    private Checked check(Map<String, ?> raw) {
        List<SettingError> errors = new ArrayList<>();
        Map<String, Object> values = new LinkedHashMap<>();
        for (Setting setting : settings.values()) {
            Object given = raw.get(setting.name());
            if (given == null || (given instanceof String s && s.isBlank()) || (given instanceof Map<?, ?> m && m.isEmpty())
                    || (given instanceof List<?> l && l.isEmpty())) {
                if (setting.presence() == Setting.Presence.REQUIRED) {
                    errors.add(new SettingError(setting.name(), "required", setting.name() + ": is required"));
                }
                setting.defaultValue().ifPresent(v -> values.put(setting.name(), v));
                continue;
            }
            Setting.Result result = setting.check(given);
            if (result.problems.isEmpty()) {
                values.put(setting.name(), result.value);
            } else {
                result.problems.forEach(p -> errors.add(errorFor(setting, p, given)));
            }
        }
        for (String name : raw.keySet()) {
            if (!settings.containsKey(name)) {
                errors.add(new SettingError(name, "unknown_field", name
                        + ": is not a setting of this destination; known settings are "
                        + String.join(", ", settings.keySet())));
            }
        }
        Settings typed = new Settings(this, values);
        for (CrossCheck crossCheck : crossChecks) {
            crossCheck.check(typed).ifPresent(errors::add);
        }
        return new Checked(typed, errors);
    }

    /**
     * The value is quoted only where it cannot hold a secret: never for a secret, a map (its values
     * may be tokens even when the type is wrong) or a URI (URLs carry tokens), nor for anything
     * that is not a plain scalar. A list's value is named by its index ({@code brokers[1]: ...})
     * and quoted only when it is text; the error's field stays the setting's name.
     */
    private static SettingError errorFor(Setting setting, Setting.Problem problem, Object given) {
        Violation violation = problem.violation();
        String message = setting.name() + problem.at() + ": " + violation.message();
        Object quoted = setting.type() == SettingType.LIST ? problem.quotable() : given;
        boolean quotable = !setting.isSecret() && setting.type() != SettingType.MAP && setting.type() != SettingType.URI
                && (quoted instanceof String || quoted instanceof Number || quoted instanceof Boolean);
        if (quotable) {
            message += " (got '" + quoted + "')";
        }
        return new SettingError(setting.name(), violation.rule(), message);
    }

    /**
     * The declaration as a JSON Schema 2020-12 document. Secrets are {@code writeOnly} and have no
     * default. Each property carries its form label as {@code title}, its position as
     * {@code x-order} (the declared order, or declaration order) and its group as {@code x-group};
     * choices are an {@code enum}, with {@code x-enumLabels} where labels differ from values.
     */
    public String toJsonSchema() {
        Map<String, Object> properties = new LinkedHashMap<>();
        int position = 0;
        for (Setting setting : settings.values()) {
            position++;
            Map<String, Object> p = propertySchema(setting);
            p.put("x-order", setting.order().orElse(position));
            setting.group().ifPresent(g -> p.put("x-group", g));
            properties.put(setting.name(), p);
        }
        Map<String, Object> schema = new LinkedHashMap<>();
        schema.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        schema.put("type", "object");
        schema.put("properties", properties);
        schema.put("required", settings.values().stream()
                .filter(s -> s.presence() == Setting.Presence.REQUIRED)
                .map(Setting::name)
                .collect(Collectors.toList()));
        schema.put("additionalProperties", false);
        return JsonText.write(schema);
    }

    private static Map<String, Object> propertySchema(Setting setting) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("title", setting.label());
        switch (setting.type()) {
            case INTEGER -> p.put("type", "integer");
            case BOOLEAN -> p.put("type", "boolean");
            case ENUM -> {
                p.put("type", "string");
                p.put("enum", setting.allowedValues());
                if (!setting.valueLabels().isEmpty()) {
                    Map<String, Object> labels = new LinkedHashMap<>();
                    setting.allowedValues().forEach(v -> labels.put(v, setting.valueLabels().getOrDefault(v, v)));
                    p.put("x-enumLabels", labels);
                }
            }
            case URI -> {
                p.put("type", "string");
                p.put("format", "uri");
                p.put("pattern", "^(?i:" + String.join("|", setting.schemes()) + ")://");
                if (setting.isSecret()) {
                    p.put("writeOnly", true);
                }
            }
            case LIST -> {
                p.put("type", "array");
                Map<String, Object> items = new LinkedHashMap<>();
                items.put("type", "string");
                if (setting.elementType().orElseThrow() == SettingType.URI) {
                    items.put("format", "uri");
                    items.put("pattern", "^(?i:" + String.join("|", setting.schemes()) + ")://");
                }
                setting.eachValidator().ifPresent(v -> items.putAll(v.schemaKeywords()));
                p.put("items", items);
                setting.minSize().ifPresent(n -> p.put("minItems", n));
                setting.maxSize().ifPresent(n -> p.put("maxItems", n));
            }
            case MAP -> {
                p.put("type", "object");
                p.put("additionalProperties", Map.of("type", "string"));
                if (setting.isSecret()) {
                    p.put("writeOnly", true);
                }
            }
            case ARN -> {
                p.put("type", "string");
                p.put("pattern", "^" + Setting.ARN.pattern() + "$");
            }
            case SECRET -> {
                p.put("type", "string");
                p.put("format", "password");
                p.put("writeOnly", true);
            }
            case STRING -> p.put("type", "string");
        }
        p.put("description", setting.description());
        p.put("x-sluice-type", setting.type().name().toLowerCase(java.util.Locale.ROOT));
        setting.validator().ifPresent(v -> p.putAll(v.schemaKeywords()));
        setting.defaultValue().ifPresent(v -> p.put("default", v instanceof List<?> l
                ? l.stream().map(Object::toString).toList()
                : v instanceof java.net.URI ? v.toString() : v));
        return p;
    }

    @Override
    public String toString() {
        return "SettingsSchema" + settings.values();
    }

    private record Checked(Settings settings, List<SettingError> errors) {}

    /** Collects settings in declaration order. */
    public static final class Builder {
        private final Map<String, Setting> settings = new LinkedHashMap<>();
        private final List<CrossCheck> crossChecks = new ArrayList<>();

        private Builder() {}

        public Builder add(Setting setting) {
            if (settings.putIfAbsent(setting.name(), setting) != null) {
                throw new IllegalArgumentException("setting declared twice: " + setting.name());
            }
            return this;
        }

        public Builder crossCheck(CrossCheck check) {
            crossChecks.add(check);
            return this;
        }

        public SettingsSchema build() {
            return new SettingsSchema(new LinkedHashMap<>(settings), crossChecks);
        }
    }
}
