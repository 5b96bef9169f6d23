package io.sluice.spi.settings;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One declared setting: name, type, presence (required, optional or defaulted), description and
 * rules. Immutable; each {@code with}-style method returns a new instance.
 *
 * <pre>{@code
 * Setting.integer("maxRecordBytes").defaultValue(1_048_576)
 *        .validator(Validators.between(1, 10_485_760))
 *        .description("Largest record, in bytes, after encoding.")
 * }</pre>
 */
public final class Setting {

    /** Whether a value must be given. */
    public enum Presence { REQUIRED, OPTIONAL, DEFAULTED }

    /** Also the pattern of the JSON Schema {@link SettingsSchema} writes, so a form checks what the server checks. */
    static final Pattern ARN = Pattern.compile("arn:[a-z0-9-]+:[a-z0-9-]+:[a-z0-9-]*:[0-9]{0,12}:.+");

    private final String name;
    private final SettingType type;
    private final Presence presence;
    private final Object defaultValue;
    private final String description;
    private final Validator validator;
    private final List<String> allowedValues;

    private Setting(String name, SettingType type, Presence presence, Object defaultValue,
                    String description, Validator validator, List<String> allowedValues) {
        this.name = name;
        this.type = type;
        this.presence = presence;
        this.defaultValue = defaultValue;
        this.description = description;
        this.validator = validator;
        this.allowedValues = allowedValues;
    }

    private static Setting of(String name, SettingType type, List<String> allowed) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a setting needs a name");
        }
        return new Setting(name, type, Presence.REQUIRED, null, "", null, allowed);
    }

    public static Setting string(String name) {
        return of(name, SettingType.STRING, List.of());
    }

    public static Setting secret(String name) {
        return of(name, SettingType.SECRET, List.of());
    }

    public static Setting integer(String name) {
        return of(name, SettingType.INTEGER, List.of());
    }

    public static Setting bool(String name) {
        return of(name, SettingType.BOOLEAN, List.of());
    }

    public static Setting enumeration(String name, String... values) {
        if (values.length == 0) {
            throw new IllegalArgumentException(name + ": an enum setting needs at least one value");
        }
        return of(name, SettingType.ENUM, List.of(values));
    }

    public static Setting uri(String name) {
        return of(name, SettingType.URI, List.of());
    }

    public static Setting arn(String name) {
        return of(name, SettingType.ARN, List.of());
    }

    /** Must be given (the default for a new setting). */
    public Setting required() {
        return new Setting(name, type, Presence.REQUIRED, null, description, validator, allowedValues);
    }

    /** May be left out; then it has no value. */
    public Setting optional() {
        return new Setting(name, type, Presence.OPTIONAL, null, description, validator, allowedValues);
    }

    /** May be left out; then it takes {@code value}. Secrets have no defaults. */
    public Setting defaultValue(Object value) {
        if (type == SettingType.SECRET) {
            throw new IllegalArgumentException(name + ": a secret setting cannot have a default");
        }
        Object typed = read(value).fold(v -> v, violation -> {
            throw new IllegalArgumentException(name + ": default " + violation.message());
        });
        return new Setting(name, type, Presence.DEFAULTED, typed, description, validator, allowedValues);
    }

    public Setting description(String text) {
        return new Setting(name, type, presence, defaultValue, Objects.requireNonNull(text), validator, allowedValues);
    }

    /** An extra rule, run after the value has been read as this setting's type. */
    public Setting validator(Validator rule) {
        return new Setting(name, type, presence, defaultValue, description, Objects.requireNonNull(rule), allowedValues);
    }

    public String name() {
        return name;
    }

    public SettingType type() {
        return type;
    }

    public Presence presence() {
        return presence;
    }

    public boolean isSecret() {
        return type == SettingType.SECRET;
    }

    /** The default, read as this setting's type; empty unless {@link Presence#DEFAULTED}. */
    public Optional<Object> defaultValue() {
        return Optional.ofNullable(defaultValue);
    }

    public String description() {
        return description;
    }

    public Optional<Validator> validator() {
        return Optional.ofNullable(validator);
    }

    /** The values of an {@link SettingType#ENUM}; empty for other types. */
    public List<String> allowedValues() {
        return allowedValues;
    }

    /** Reads a raw value (from YAML, JSON or a form) as this setting's type, then applies its rule. */
    Result check(Object raw) {
        Result read = read(raw);
        if (read.violation != null || validator == null) {
            return read;
        }
        return validator.check(read.value).map(Result::broken).orElse(read);
    }

    private Result read(Object raw) {
        Objects.requireNonNull(raw, "raw");
        switch (type) {
            case STRING:
                return isScalar(raw) ? Result.ok(raw.toString()) : Result.broken("type", "must be text");
            case SECRET:
                if (raw instanceof Secret) {
                    return Result.ok(raw);
                }
                return raw instanceof String s ? Result.ok(new Secret(s)) : Result.broken("type", "must be text");
            case INTEGER:
                return readInteger(raw);
            case BOOLEAN:
                if (raw instanceof Boolean) {
                    return Result.ok(raw);
                }
                String text = raw.toString().trim().toLowerCase(Locale.ROOT);
                return text.equals("true") || text.equals("false")
                        ? Result.ok(Boolean.valueOf(text))
                        : Result.broken("type", "must be true or false");
            case ENUM:
                return allowedValues.contains(raw.toString())
                        ? Result.ok(raw.toString())
                        : Result.broken("one_of", "must be one of " + String.join(", ", allowedValues));
            case URI:
                return readUri(raw);
            case ARN:
                return ARN.matcher(raw.toString()).matches()
                        ? Result.ok(raw.toString())
                        : Result.broken("arn", "must be an ARN, arn:partition:service:region:account-id:resource");
            default:
                throw new AssertionError(type);
        }
    }

    private static boolean isScalar(Object raw) {
        return raw instanceof String || raw instanceof Number || raw instanceof Boolean;
    }

    private static Result readInteger(Object raw) {
        if (raw instanceof Integer || raw instanceof Long || raw instanceof Short || raw instanceof Byte) {
            return Result.ok(((Number) raw).longValue());
        }
        if (raw instanceof String s) {
            try {
                return Result.ok(Long.parseLong(s.trim()));
            } catch (NumberFormatException e) {
                // falls through to the type error
            }
        }
        return Result.broken("type", "must be a whole number");
    }

    private static Result readUri(Object raw) {
        try {
            URI uri = new URI(raw.toString());
            if (uri.isAbsolute() && uri.getHost() != null) {
                return Result.ok(uri);
            }
        } catch (URISyntaxException e) {
            // falls through to the rule error
        }
        return Result.broken("uri", "must be an absolute URI with a scheme and a host, e.g. https://host:443");
    }

    @Override
    public String toString() {
        return name + " (" + type.name().toLowerCase(Locale.ROOT) + ", " + presence.name().toLowerCase(Locale.ROOT)
                + (defaultValue != null ? ", default " + defaultValue : "") + ")";
    }

    /** A read value, or the rule it broke. */
    static final class Result {
        final Object value;
        final Violation violation;

        private Result(Object value, Violation violation) {
            this.value = value;
            this.violation = violation;
        }

        static Result ok(Object value) {
            return new Result(value, null);
        }

        static Result broken(Violation violation) {
            return new Result(null, violation);
        }

        static Result broken(String rule, String message) {
            return broken(new Violation(rule, message));
        }

        <T> T fold(java.util.function.Function<Object, T> ok, java.util.function.Function<Violation, T> broken) {
            return violation == null ? ok.apply(value) : broken.apply(violation);
        }
    }
}
