package io.sluice.runner.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/** JSON (or YAML read as JSON) as the plain Java values a settings schema reads. */
public final class PlainValues {

    private PlainValues() {}

    /**
     * Strings, booleans, longs (big integers past long), doubles, lists and maps; null for JSON null.
     *
     * @param text what a string becomes, given it and its path (the configuration substitutes
     *             {@code ${env:...}} there; the admin API takes strings as they are)
     */
    public static Object of(JsonNode node, String path, BiFunction<String, String, Object> text) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return text.apply(node.textValue(), path);
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isIntegralNumber()) {
            return node.canConvertToLong() ? (Object) node.longValue() : node.bigIntegerValue();
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        if (node.isArray()) {
            List<Object> list = new ArrayList<>();
            for (int i = 0; i < node.size(); i++) {
                list.add(of(node.get(i), path + "[" + i + "]", text));
            }
            return list;
        }
        if (node.isObject()) {
            Map<String, Object> map = new LinkedHashMap<>();
            node.properties().forEach(e -> map.put(e.getKey(), of(e.getValue(), path + "." + e.getKey(), text)));
            return map;
        }
        return null;
    }
}
