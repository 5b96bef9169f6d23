package io.sluice.conformance;

import io.sluice.spi.settings.Setting;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Invalid values derived from a setting's own declaration: its type, its enum values, and the
 * JSON Schema keywords its validator exports. So a plugin supplies no invalid settings of its own,
 * and a validator that exports a rule it does not enforce is caught.
 */
final class SettingVariants {

    /** A value that breaks {@code setting}'s declaration, and which part it breaks. */
    record Invalid(Setting setting, Object value, String breaks) {
        @Override
        public String toString() {
            return setting.name() + " = " + (setting.isSecret() ? "<a value>" : describe(value)) + " (" + breaks + ")";
        }
    }

    /** Text that few patterns accept: spaces, NUL, punctuation, and the characters patterns escape. */
    private static final List<String> ODD_TEXT = List.of(
            " \u0000 not a valid value! ${x} \\ ",
            "\u0000",
            "!",
            "x".repeat(5000),
            "-",
            "0");

    private SettingVariants() {}

    static List<Invalid> invalidValues(Setting setting) {
        List<Invalid> out = new ArrayList<>();
        switch (setting.type()) {
            case STRING -> out.add(new Invalid(setting, Map.of("not", "text"), "type: an object is not text"));
            case SECRET -> out.add(new Invalid(setting, 42, "type: a number is not text"));
            case INTEGER -> {
                out.add(new Invalid(setting, "not-a-number", "type: not a whole number"));
                out.add(new Invalid(setting, 1.5, "type: not a whole number"));
            }
            case BOOLEAN -> out.add(new Invalid(setting, "maybe", "type: neither true nor false"));
            case ENUM -> out.add(new Invalid(setting, "not-one-of-" + setting.allowedValues(), "one_of"));
            case URI -> {
                out.add(new Invalid(setting, "not a uri", "uri: not a URI"));
                out.add(new Invalid(setting, "/a/relative/path", "uri: not absolute"));
            }
            case ARN -> out.add(new Invalid(setting, "not-an-arn", "arn"));
            case MAP -> {
                out.add(new Invalid(setting, "Name: value", "type: text is not a map"));
                out.add(new Invalid(setting, Map.of("nested", Map.of("not", "text")), "type: a value that is not text"));
            }
        }
        if (setting.type() == io.sluice.spi.settings.SettingType.URI && !setting.schemes().contains("ftp")) {
            out.add(new Invalid(setting, "ftp://files.invalid/x", "uri: a scheme it does not allow"));
        }
        Map<String, Object> keywords = setting.validator().map(v -> v.schemaKeywords()).orElse(Map.of());
        if (keywords.get("minimum") instanceof Number min && min.longValue() > Long.MIN_VALUE) {
            out.add(new Invalid(setting, min.longValue() - 1, "minimum " + min));
        }
        if (keywords.get("maximum") instanceof Number max && max.longValue() < Long.MAX_VALUE) {
            out.add(new Invalid(setting, max.longValue() + 1, "maximum " + max));
        }
        if (keywords.get("pattern") instanceof String pattern && !setting.isSecret()
                && (setting.type() == io.sluice.spi.settings.SettingType.STRING
                    || setting.type() == io.sluice.spi.settings.SettingType.ARN)) {
            nonMatching(pattern).ifPresent(text -> out.add(new Invalid(setting, text, "pattern " + pattern)));
        }
        return out;
    }

    /** Text the exported pattern does not match (JSON Schema patterns are unanchored, so as exported). */
    private static Optional<String> nonMatching(String pattern) {
        Pattern compiled;
        try {
            compiled = Pattern.compile(pattern);
        } catch (PatternSyntaxException e) {
            return Optional.empty();
        }
        return ODD_TEXT.stream().filter(t -> !compiled.matcher(t).find()).findFirst();
    }

    /** A setting's default as it would be written in a configuration file. */
    static Object rawDefault(Setting setting) {
        Object value = setting.defaultValue().orElseThrow();
        return value instanceof URI uri ? uri.toString() : value;
    }

    static String describe(Object value) {
        String text = value instanceof String s ? "'" + s + "'" : String.valueOf(value);
        return text.length() > 40 ? text.substring(0, 40) + "...'" : text;
    }
}
