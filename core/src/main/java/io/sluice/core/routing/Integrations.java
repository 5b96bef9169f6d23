package io.sluice.core.routing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * A call's {@code integrations} object, read as Segment reads it:
 * <ul>
 *   <li>{@code All} is true unless set to {@code false}; its key matches in any case ({@code all}, {@code ALL});</li>
 *   <li>a destination's own key matches exactly, case and spaces included ({@code "Amazon Kinesis"});</li>
 *   <li>a destination's key overrides {@code All}: {@code {"All": false, "Amazon Kinesis": true}} sends to Kinesis alone;</li>
 *   <li>only {@code false} disables; {@code true}, an object of destination options, or any other value enables.</li>
 * </ul>
 */
public final class Integrations {

    /** No {@code integrations} object: every destination. */
    public static final Integrations ALL = new Integrations(true, Map.of());

    private final boolean all;
    private final Map<String, Boolean> explicit;

    private Integrations(boolean all, Map<String, Boolean> explicit) {
        this.all = all;
        this.explicit = explicit;
    }

    public static Integrations of(JsonNode integrations) {
        if (integrations == null || !integrations.isObject() || integrations.isEmpty()) {
            return ALL;
        }
        boolean all = true;
        Map<String, Boolean> explicit = new HashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = integrations.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            boolean enabled = !(field.getValue().isBoolean() && !field.getValue().booleanValue());
            if (field.getKey().equalsIgnoreCase("all")) {
                all = enabled;
            } else {
                explicit.put(field.getKey(), enabled);
            }
        }
        return new Integrations(all, explicit);
    }

    /** Whether the destination whose integrations name is {@code integrationName} receives the call. */
    public boolean enables(String integrationName) {
        return explicit.getOrDefault(integrationName, all);
    }

    @Override
    public String toString() {
        return "Integrations{All=" + all + ", " + explicit + "}";
    }
}
