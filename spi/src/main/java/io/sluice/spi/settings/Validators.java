package io.sluice.spi.settings;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** The common rules. Each message says what is required, never what was given. */
public final class Validators {

    private Validators() {}

    /** An integer setting between {@code min} and {@code max}, inclusive. Rule {@code range}. */
    public static Validator between(long min, long max) {
        return new Validator() {
            @Override
            public Optional<Violation> check(Object value) {
                long v = (Long) value;
                return v >= min && v <= max
                        ? Optional.empty()
                        : Optional.of(new Violation("range", "must be between " + min + " and " + max));
            }

            @Override
            public Map<String, Object> schemaKeywords() {
                return Map.of("minimum", min, "maximum", max);
            }
        };
    }

    /**
     * A text setting that matches {@code regex} as a whole.
     *
     * @param rule    the rule's name, e.g. {@code stream_name}
     * @param meaning what a match is, for the message, e.g. {@code a stream name of 1 to 128 characters}
     */
    public static Validator matches(String rule, String regex, String meaning) {
        Pattern pattern = Pattern.compile(regex);
        return new Validator() {
            @Override
            public Optional<Violation> check(Object value) {
                String text = value instanceof Secret s ? s.reveal() : value.toString();
                return pattern.matcher(text).matches()
                        ? Optional.empty()
                        : Optional.of(new Violation(rule, "must be " + meaning));
            }

            @Override
            public Map<String, Object> schemaKeywords() {
                return Map.of("pattern", "^(?:" + regex + ")$");
            }
        };
    }

    /**
     * A text setting from a known list short enough to choose from (a form shows a choice list: the
     * schema carries the list as {@code enum}, in the order given). Unlike {@link SettingType#ENUM},
     * the message names the set rather than listing it. Rule {@code one_of}.
     *
     * @param what what the list is, for the message, e.g. {@code an AWS region known to the SDK}
     */
    public static Validator oneOf(List<String> allowed, String what) {
        List<String> list = List.copyOf(allowed);
        Set<String> set = Set.copyOf(list);
        return new Validator() {
            @Override
            public Optional<Violation> check(Object value) {
                return set.contains(value.toString())
                        ? Optional.empty()
                        : Optional.of(new Violation("one_of", "must be " + what));
            }

            @Override
            public Map<String, Object> schemaKeywords() {
                return Map.of("enum", list);
            }
        };
    }

    /**
     * A list setting that holds no value twice. Rule {@code unique}; the JSON Schema says
     * {@code uniqueItems}.
     *
     * @since 0.2.0
     */
    public static Validator distinct() {
        return Validator.of(value -> {
            List<?> list = (List<?>) value;
            return Set.copyOf(list).size() == list.size()
                    ? Optional.empty()
                    : Optional.of(new Violation("unique", "must not hold the same value twice"));
        }, Map.of("uniqueItems", true));
    }

    /**
     * A text setting from a known set too large to list in a form (use {@link SettingType#ENUM}
     * for short lists). Rule {@code one_of}.
     *
     * @param what what the set is, for the message, e.g. {@code an AWS region known to the SDK}
     */
    public static Validator memberOf(Collection<String> allowed, String what) {
        Set<String> set = Set.copyOf(allowed);
        return value -> set.contains(value.toString())
                ? Optional.empty()
                : Optional.of(new Violation("one_of", "must be " + what));
    }
}
