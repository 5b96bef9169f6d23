package io.sluice.spi.settings;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
    private Presence presence;
    private Object defaultValue;
    private String description;
    private Validator validator;
    private final List<String> allowedValues;
    private Map<String, String> valueLabels = Map.of();
    private boolean sensitive;
    private List<String> schemes = List.of("http", "https");
    private String label;
    private String group;
    private Integer order;

    private Setting(String name, SettingType type, List<String> allowedValues) {
        this.name = name;
        this.type = type;
        this.presence = Presence.REQUIRED;
        this.description = "";
        this.allowedValues = allowedValues;
        this.sensitive = type == SettingType.SECRET;
    }

    /** A copy to change one property of: every public method returns a new instance. */
    private Setting copy() {
        Setting c = new Setting(name, type, allowedValues);
        c.presence = presence;
        c.defaultValue = defaultValue;
        c.description = description;
        c.validator = validator;
        c.valueLabels = valueLabels;
        c.sensitive = sensitive;
        c.schemes = schemes;
        c.label = label;
        c.group = group;
        c.order = order;
        return c;
    }

    private static Setting of(String name, SettingType type, List<String> allowed) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a setting needs a name");
        }
        return new Setting(name, type, allowed);
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
        return enumeration(name, List.of(values));
    }

    /**
     * One of {@code values}, shown as a choice list in forms.
     *
     * @since 0.2.0
     */
    public static Setting enumeration(String name, List<String> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException(name + ": an enum setting needs at least one value");
        }
        return of(name, SettingType.ENUM, List.copyOf(values));
    }

    /** An absolute {@code http} or {@code https} URI with a host; {@link #schemes} allows others. */
    public static Setting uri(String name) {
        return of(name, SettingType.URI, List.of());
    }

    public static Setting arn(String name) {
        return of(name, SettingType.ARN, List.of());
    }

    /**
     * Text keys to text values, e.g. HTTP headers: a YAML or JSON map in a file, key/value rows in
     * a form. Read with {@link Settings#map}, or {@link Settings#secretMap} when {@link #sensitive()}.
     *
     * @since 0.2.0
     */
    public static Setting map(String name) {
        return of(name, SettingType.MAP, List.of());
    }

    /** Must be given (the default for a new setting). */
    public Setting required() {
        Setting c = copy();
        c.presence = Presence.REQUIRED;
        c.defaultValue = null;
        return c;
    }

    /** May be left out; then it has no value. */
    public Setting optional() {
        Setting c = copy();
        c.presence = Presence.OPTIONAL;
        c.defaultValue = null;
        return c;
    }

    /** May be left out; then it takes {@code value}. Secrets have no defaults. */
    public Setting defaultValue(Object value) {
        if (sensitive) {
            throw new IllegalArgumentException(name + ": a secret setting cannot have a default");
        }
        Object typed = read(value).fold(v -> v, violation -> {
            throw new IllegalArgumentException(name + ": default " + violation.message());
        });
        Setting c = copy();
        c.presence = Presence.DEFAULTED;
        c.defaultValue = typed;
        return c;
    }

    public Setting description(String text) {
        Setting c = copy();
        c.description = Objects.requireNonNull(text);
        return c;
    }

    /** An extra rule, run after the value has been read as this setting's type. */
    public Setting validator(Validator rule) {
        Setting c = copy();
        c.validator = Objects.requireNonNull(rule);
        return c;
    }

    /**
     * Makes the value a secret, as {@link SettingType#SECRET} is: a {@link SettingType#URI} whose
     * value is a {@link Secret} (a URL with a token in it), or a {@link SettingType#MAP} whose values
     * are (an {@code Authorization} header). Masked wherever shown, write-only in forms, never echoed
     * in an error, no default.
     *
     * @since 0.2.0
     */
    public Setting sensitive() {
        if (type != SettingType.URI && type != SettingType.MAP && type != SettingType.SECRET) {
            throw new IllegalArgumentException(name + ": only a uri or map setting can be made secret; "
                    + "use Setting.secret for text");
        }
        if (defaultValue != null) {
            throw new IllegalArgumentException(name + ": a secret setting cannot have a default");
        }
        Setting c = copy();
        c.sensitive = true;
        return c;
    }

    /**
     * The schemes a {@link SettingType#URI} accepts, lower case; {@code http} and {@code https}
     * unless set.
     *
     * @since 0.2.0
     */
    public Setting schemes(String... allowed) {
        if (type != SettingType.URI) {
            throw new IllegalArgumentException(name + ": only a uri setting has schemes");
        }
        if (allowed.length == 0) {
            throw new IllegalArgumentException(name + ": give at least one scheme");
        }
        Setting c = copy();
        c.schemes = List.of(allowed).stream().map(v -> v.toLowerCase(Locale.ROOT)).toList();
        return c;
    }

    /**
     * Labels for an {@link SettingType#ENUM}'s values in forms, e.g. {@code us-east-1} shown as
     * {@code US East (N. Virginia)}; a value without one shows as itself.
     *
     * @since 0.2.0
     */
    public Setting valueLabels(Map<String, String> labels) {
        if (!allowedValues.containsAll(labels.keySet())) {
            throw new IllegalArgumentException(name + ": labels given for values that are not allowed");
        }
        Setting c = copy();
        c.valueLabels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
        return c;
    }

    /**
     * What a form calls the setting, e.g. {@code Secret access key}; its name unless set.
     *
     * @since 0.2.0
     */
    public Setting label(String text) {
        Setting c = copy();
        c.label = Objects.requireNonNull(text, "label");
        return c;
    }

    /**
     * The group a form shows it in, e.g. {@code Credentials}; groups appear in the order their
     * first setting is declared.
     *
     * @since 0.2.0
     */
    public Setting group(String text) {
        Setting c = copy();
        c.group = Objects.requireNonNull(text, "group");
        return c;
    }

    /**
     * Its place in a form, lower first; declaration order unless set.
     *
     * @since 0.2.0
     */
    public Setting order(int position) {
        Setting c = copy();
        c.order = position;
        return c;
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

    /** Whether the value is a secret: a {@link SettingType#SECRET}, or a uri or map made {@link #sensitive()}. */
    public boolean isSecret() {
        return sensitive;
    }

    /** The label a form shows; the name unless {@link #label(String)} set one. @since 0.2.0 */
    public String label() {
        return label == null ? name : label;
    }

    /** The form group, if any. @since 0.2.0 */
    public Optional<String> group() {
        return Optional.ofNullable(group);
    }

    /** The explicit form position, if any; else declaration order holds. @since 0.2.0 */
    public Optional<Integer> order() {
        return Optional.ofNullable(order);
    }

    /** The schemes a uri setting accepts; empty for other types. @since 0.2.0 */
    public List<String> schemes() {
        return type == SettingType.URI ? schemes : List.of();
    }

    /** Form labels of enum values, where given. @since 0.2.0 */
    public Map<String, String> valueLabels() {
        return valueLabels;
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
            case MAP:
                return readMap(raw);
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

    private Result readUri(Object raw) {
        String text = raw instanceof Secret s ? s.reveal() : raw.toString();
        String rule = "must be an absolute URI with a host and the scheme " + String.join(" or ", schemes)
                + ", e.g. " + schemes.get(0) + "://host:443";
        try {
            URI uri = new URI(text);
            if (uri.isAbsolute() && uri.getHost() != null) {
                if (!schemes.contains(uri.getScheme().toLowerCase(Locale.ROOT))) {
                    return Result.broken("uri_scheme", rule);
                }
                return Result.ok(sensitive ? new Secret(text) : uri);
            }
        } catch (URISyntaxException e) {
            // falls through to the rule error
        }
        return Result.broken("uri", rule);
    }

    /** A map of text to text; values become {@link Secret}s when the setting is sensitive. */
    private Result readMap(Object raw) {
        if (!(raw instanceof Map<?, ?> given)) {
            return Result.broken("type", "must be a map of names to text values");
        }
        Map<String, Object> read = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : given.entrySet()) {
            Object value = e.getValue();
            if (e.getKey() == null || e.getKey().toString().isBlank()) {
                return Result.broken("map_key", "must have a non-blank name for every entry");
            }
            if (value instanceof Secret secret) {
                value = secret.reveal();
            }
            if (!isScalar(value)) {
                return Result.broken("type", "must have a text value for every name (" + e.getKey() + " has none)");
            }
            read.put(e.getKey().toString(), sensitive ? new Secret(value.toString()) : value.toString());
        }
        return Result.ok(Collections.unmodifiableMap(read));
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
