package io.sluice.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.Map;
import java.util.Optional;

/**
 * Compares two JSON trees as JSON means them: key order does not matter, numbers compare by value
 * ({@code 1.0} equals {@code 1}, {@code 1e400} is not infinity), and strings compare exactly, code
 * unit by code unit, so re-encoded or re-normalised text is a difference.
 */
final class JsonDiff {

    private JsonDiff() {}

    /** The first difference, as a path and what differs there; empty when the trees are equal. */
    static Optional<String> firstDifference(JsonNode expected, JsonNode actual) {
        return diff(expected, actual, "$");
    }

    private static Optional<String> diff(JsonNode expected, JsonNode actual, String path) {
        if (actual == null || actual.isMissingNode()) {
            return Optional.of(path + ": missing, expected " + show(expected));
        }
        if (expected.isNumber() && actual.isNumber()) {
            return decimal(expected).compareTo(decimal(actual)) == 0
                    ? Optional.empty()
                    : Optional.of(path + ": expected the number " + expected + " but was " + actual);
        }
        if (expected.getNodeType() != actual.getNodeType()) {
            return Optional.of(path + ": expected " + show(expected) + " but was " + show(actual));
        }
        if (expected.isObject()) {
            for (Map.Entry<String, JsonNode> field : expected.properties()) {
                Optional<String> d = diff(field.getValue(), actual.get(field.getKey()), path + "." + field.getKey());
                if (d.isPresent()) {
                    return d;
                }
            }
            for (Map.Entry<String, JsonNode> field : actual.properties()) {
                String name = field.getKey();
                if (!expected.has(name)) {
                    return Optional.of(path + "." + name + ": not in the normalised message, but received as "
                            + show(actual.get(name)));
                }
            }
            return Optional.empty();
        }
        if (expected.isArray()) {
            if (expected.size() != actual.size()) {
                return Optional.of(path + ": expected " + expected.size() + " items but was " + actual.size());
            }
            for (int i = 0; i < expected.size(); i++) {
                Optional<String> d = diff(expected.get(i), actual.get(i), path + "[" + i + "]");
                if (d.isPresent()) {
                    return d;
                }
            }
            return Optional.empty();
        }
        if (expected.isTextual()) {
            return expected.textValue().equals(actual.textValue())
                    ? Optional.empty()
                    : Optional.of(path + ": expected " + showText(expected.textValue()) + " but was "
                            + showText(actual.textValue()));
        }
        return expected.equals(actual)
                ? Optional.empty()
                : Optional.of(path + ": expected " + show(expected) + " but was " + show(actual));
    }

    private static BigDecimal decimal(JsonNode number) {
        return number.isIntegralNumber() ? new BigDecimal(number.bigIntegerValue()) : number.decimalValue();
    }

    private static String show(JsonNode node) {
        String text = node.toString();
        return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " "
                + (text.length() > 80 ? text.substring(0, 80) + "..." : text);
    }

    /** Quoted text, with every non-ASCII or control character also given as its code point. */
    static String showText(String text) {
        String shown = text.length() > 80 ? text.substring(0, 80) + "..." : text;
        StringBuilder points = new StringBuilder();
        boolean unusual = false;
        for (int i = 0; i < shown.length(); ) {
            int cp = shown.codePointAt(i);
            i += Character.charCount(cp);
            if (cp < 0x20 || cp > 0x7e) {
                unusual = true;
            }
            points.append(String.format(" U+%04X", cp));
        }
        String quoted = "\"" + shown.replaceAll("\\p{Cntrl}", "\uFFFD") + "\"";
        return unusual ? quoted + " [" + points.toString().trim() + "]" : quoted;
    }
}
