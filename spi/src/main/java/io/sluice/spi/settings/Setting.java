package io.sluice.spi.settings;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
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
    /** A list's element type: {@link SettingType#STRING} or {@link SettingType#URI}; null for other types. */
    private final SettingType elementType;
    private Integer minSize;
    private Integer maxSize;
    private Validator each;

    private Setting(String name, SettingType type, SettingType elementType, List<String> allowedValues) {
        this.name = name;
        this.type = type;
        this.elementType = elementType;
        this.presence = Presence.REQUIRED;
        this.description = "";
        this.allowedValues = allowedValues;
        this.sensitive = type == SettingType.SECRET;
    }

    /** A copy to change one property of: every public method returns a new instance. */
    private Setting copy() {
        Setting c = new Setting(name, type, elementType, allowedValues);
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
        c.minSize = minSize;
        c.maxSize = maxSize;
        c.each = each;
        return c;
    }

    private static Setting of(String name, SettingType type, List<String> allowed) {
        return of(name, type, null, allowed);
    }

    private static Setting of(String name, SettingType type, SettingType elementType, List<String> allowed) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a setting needs a name");
        }
        return new Setting(name, type, elementType, allowed);
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

    /**
     * A list of text values, e.g. Kafka brokers: a YAML or JSON list in a file, one row per value in
     * a form. Text separated by commas is read as a list too (each part trimmed, empty parts
     * skipped), so a setting that used to be comma-separated text can become a list without
     * breaking a configuration. Bound its length with {@link #size}, check each value with
     * {@link #each}; read it with {@link Settings#list}.
     *
     * @since 0.2.0
     */
    public static Setting list(String name) {
        return of(name, SettingType.LIST, SettingType.STRING, List.of());
    }

    /**
     * A list of absolute URIs, each read as a {@link #uri} setting is ({@code http} or
     * {@code https} unless {@link #schemes} says otherwise), e.g. webhook URLs. Read it with
     * {@link Settings#uriList}; otherwise as {@link #list}.
     *
     * @since 0.2.0
     */
    public static Setting uriList(String name) {
        return of(name, SettingType.LIST, SettingType.URI, List.of());
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
        if (type != SettingType.URI && elementType != SettingType.URI) {
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
     * How many values a {@link SettingType#LIST} holds, {@code min} to {@code max} inclusive. Rule
     * {@code size}; the JSON Schema says {@code minItems} and {@code maxItems}.
     *
     * @since 0.2.0
     */
    public Setting size(int min, int max) {
        requireList("a size");
        if (min < 0 || max < min) {
            throw new IllegalArgumentException(name + ": a size needs 0 <= min <= max");
        }
        Setting c = copy();
        c.minSize = min;
        c.maxSize = max;
        return c;
    }

    /**
     * A rule every value of a {@link SettingType#LIST} must pass, after being read as its element
     * type (a {@code String} or {@code java.net.URI}). Each value that breaks it is reported on its
     * own, by index, e.g. {@code brokers[1]: must be host:port}; its schema keywords go to the
     * JSON Schema's {@code items}. A rule over the whole list (no value twice) is a
     * {@link #validator}, given the {@code List}.
     *
     * @since 0.2.0
     */
    public Setting each(Validator rule) {
        requireList("a rule for each value");
        Setting c = copy();
        c.each = Objects.requireNonNull(rule);
        return c;
    }

    private void requireList(String what) {
        if (type != SettingType.LIST) {
            throw new IllegalArgumentException(name + ": only a list setting has " + what);
        }
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

    /** The schemes a uri setting or a list of URIs accepts; empty for other types. @since 0.2.0 */
    public List<String> schemes() {
        return type == SettingType.URI || elementType == SettingType.URI ? schemes : List.of();
    }

    /** A list's element type, {@link SettingType#STRING} or {@link SettingType#URI}; empty for other types. @since 0.2.0 */
    public Optional<SettingType> elementType() {
        return Optional.ofNullable(elementType);
    }

    /** The fewest values a list may hold, if {@link #size} bounds it. @since 0.2.0 */
    public Optional<Integer> minSize() {
        return Optional.ofNullable(minSize);
    }

    /** The most values a list may hold, if {@link #size} bounds it. @since 0.2.0 */
    public Optional<Integer> maxSize() {
        return Optional.ofNullable(maxSize);
    }

    /** The rule each value of a list must pass, if any. @since 0.2.0 */
    public Optional<Validator> eachValidator() {
        return Optional.ofNullable(each);
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
        if (!read.problems.isEmpty() || validator == null) {
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
            case LIST:
                return readList(raw);
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

    /**
     * A list, or text separated by commas; every broken rule is reported: the size, and each value
     * that is not of the element type or breaks {@link #each}, by its index.
     */
    private Result readList(Object raw) {
        List<?> given;
        if (raw instanceof List<?> l) {
            given = l;
        } else if (raw instanceof String text) {
            given = List.of(text.split(",")).stream().map(String::strip).filter(v -> !v.isEmpty()).toList();
        } else {
            return Result.broken("type", "must be a list of " + (elementType == SettingType.URI ? "URIs" : "text values")
                    + ", or text separated by commas");
        }
        List<Problem> problems = new ArrayList<>();
        if ((minSize != null && given.size() < minSize) || (maxSize != null && given.size() > maxSize)) {
            problems.add(new Problem("", new Violation("size", "must hold " + (minSize.equals(maxSize) ? minSize
                    : minSize + " to " + maxSize) + (maxSize == 1 ? " value" : " values")), null));
        }
        List<Object> values = new ArrayList<>();
        for (int i = 0; i < given.size(); i++) {
            Object item = given.get(i);
            String at = "[" + i + "]";
            if (!isScalar(item)) {
                problems.add(new Problem(at, new Violation("type", "must be text"), null));
                continue;
            }
            String text = item.toString().strip();
            Object quoted = elementType == SettingType.URI ? null : text;
            if (text.isEmpty()) {
                problems.add(new Problem(at, new Violation("empty_value", "must not be empty"), null));
                continue;
            }
            Result read = elementType == SettingType.URI ? readUri(text) : Result.ok(text);
            Optional<Violation> broken = read.problems.isEmpty()
                    ? Optional.ofNullable(each).flatMap(rule -> rule.check(read.value))
                    : Optional.of(read.problems.get(0).violation());
            if (broken.isPresent()) {
                problems.add(new Problem(at, broken.get(), quoted));
            } else {
                values.add(read.value);
            }
        }
        return problems.isEmpty() ? Result.ok(List.copyOf(values)) : new Result(null, problems);
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

    /**
     * A broken rule: of the whole value ({@code at} empty), or of one value of a list ({@code at}
     * its index, {@code [1]}), with that value when it may be quoted (never a URI or a secret).
     */
    record Problem(String at, Violation violation, Object quotable) {}

    /** A read value, or every rule it broke. */
    static final class Result {
        final Object value;
        final List<Problem> problems;

        private Result(Object value, List<Problem> problems) {
            this.value = value;
            this.problems = problems;
        }

        static Result ok(Object value) {
            return new Result(value, List.of());
        }

        static Result broken(Violation violation) {
            return new Result(null, List.of(new Problem("", violation, null)));
        }

        static Result broken(String rule, String message) {
            return broken(new Violation(rule, message));
        }

        <T> T fold(java.util.function.Function<Object, T> ok, java.util.function.Function<Violation, T> broken) {
            return problems.isEmpty() ? ok.apply(value) : broken.apply(problems.get(0).violation());
        }
    }
}
