package io.sluice.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.intake.AcceptedEvent;
import io.sluice.core.intake.Intake;
import io.sluice.core.intake.IntakeResult;
import io.sluice.core.spec.RequestException;
import io.sluice.core.spec.SpecJson;
import io.sluice.core.spec.SpecLimits;
import io.sluice.spi.event.EventType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.UUID;

/**
 * The calls the suite sends: the Segment docs' examples (shipped in this jar under
 * {@code fixtures/}) and edge cases. Every call goes through core's {@link Intake}, so the events
 * are parsed, validated and normalised exactly as the HTTP API does it.
 */
final class SpecCalls {

    private static final Intake INTAKE = new Intake(Clock.systemUTC());

    private SpecCalls() {}

    /** A message id no other check or run uses, so a shared target cannot confuse checks. */
    static String newMessageId() {
        return "conformance-" + UUID.randomUUID();
    }

    /**
     * A docs example, {@code identify} .. {@code alias} or {@code common}, with a fresh
     * {@code messageId} (five examples share one) and the destination enabled by name in
     * {@code integrations}: the identify example sets {@code "All": false}, and a Segment user who
     * wants such a call in a destination names the destination. Everything else is as in the docs.
     */
    static ObjectNode example(String name, String integrationName) {
        ObjectNode call = readFixture(name);
        call.put("messageId", call.path("messageId").asText() + "-" + UUID.randomUUID().toString().substring(0, 8));
        JsonNode integrations = call.get("integrations");
        ObjectNode enabled = integrations instanceof ObjectNode o ? o : call.putObject("integrations");
        enabled.put(integrationName, true);
        return call;
    }

    /** A docs example exactly as published, but with a fresh {@code messageId}. */
    static ObjectNode exampleAsPublished(String name) {
        ObjectNode call = readFixture(name);
        call.put("messageId", newMessageId());
        return call;
    }

    static ObjectNode readFixture(String name) {
        String resource = "fixtures/" + name + ".json";
        try (InputStream in = SpecCalls.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing suite resource " + resource);
            }
            return (ObjectNode) SpecJson.MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A small track call. */
    static ObjectNode track(String userId, String event) {
        ObjectNode call = SpecJson.MAPPER.createObjectNode();
        call.put("type", "track");
        call.put("messageId", newMessageId());
        call.put("userId", userId);
        call.put("event", event);
        call.putObject("properties").put("source", "sluice conformance suite");
        return call;
    }

    /** A track call padded with {@code padding} ASCII characters in {@code properties.padding}. */
    static ObjectNode padded(String userId, int padding) {
        ObjectNode call = track(userId, "Padded");
        ((ObjectNode) call.get("properties")).put("padding", "p".repeat(padding));
        return call;
    }

    /**
     * Text the way it breaks pipelines: astral-plane emoji and ZWJ sequences, CJK, right-to-left
     * scripts, combining marks (decomposed, so a normalising pipeline changes them), control
     * characters and NUL, line separators, a BOM, non-Latin keys; and the same text once more as
     * JSON escapes, surrogate pairs included.
     */
    static byte[] unicodeBody(String messageId) {
        ObjectNode call = SpecJson.MAPPER.createObjectNode();
        call.put("type", "track");
        call.put("messageId", messageId);
        call.put("userId", "usér-😀-漢字");
        call.put("event", "Ünïcödé Évent ✓");
        ObjectNode p = call.putObject("properties");
        p.put("emoji", "😀🎉👍🏽");
        p.put("zwjFamily", "👨‍👩‍👧‍👦");
        p.put("flag", "🇳🇱");
        p.put("cjk", "漢字 かな カナ 한국어");
        p.put("rtl", "שלום עולם مرحبا بالعالم");
        p.put("combining", "e\u0301 a\u0308 n\u0303 \u0915\u094d\u0937");
        p.put("precomposed", "é ä ñ ß Ω");
        p.put("supplementary", "𝄞 𐍈 𠜎 𝔘𝔫𝔦𝔠𝔬𝔡𝔢");
        p.put("controls", "\u0001\u0007\u001f tab\t newline\n return\r");
        p.put("nul", "before\u0000after");
        p.put("quotes", "\"double\" 'single' \\back\\ /slash/");
        p.put("separators", "line\u2028paragraph\u2029end");
        p.put("bom", "\ufeffstarts with a BOM");
        p.put("specials", "\ufffd \ue000 \u00a0 \u200b");
        p.put("ключ", "значение");
        p.put("🔑", "🗝️");
        p.putArray("mixed").add("Ελληνικά").add("ქართული").add("አማርኛ").add("ไทย");
        String json = new String(write(call), StandardCharsets.UTF_8);
        String escaped = "\"escaped\":\"\\ud83d\\ude00 \\u00e9\\u0301 \\u6f22 \\u0000 \\u2028 \\\\u0041\",";
        return json.replaceFirst("\"properties\":\\{", "\"properties\":{" + java.util.regex.Matcher.quoteReplacement(escaped))
                .getBytes(StandardCharsets.UTF_8);
    }

    /** {@code depth} levels of alternating objects and arrays under {@code properties.nested}. */
    static ObjectNode deeplyNested(int depth) {
        ObjectNode call = track("nested-user", "Deeply Nested");
        JsonNode node = SpecJson.MAPPER.createObjectNode().put("leaf", "bottom").put("depth", depth);
        for (int level = depth; level > 0; level--) {
            if (level % 2 == 0) {
                ArrayNode array = SpecJson.MAPPER.createArrayNode();
                array.add(level).add(node);
                node = array;
            } else {
                ObjectNode object = SpecJson.MAPPER.createObjectNode();
                object.put("level", level);
                object.set("next", node);
                node = object;
            }
        }
        ((ObjectNode) call.get("properties")).set("nested", node);
        return call;
    }

    /** Numbers that lose something when a pipeline reads them as int, long or double. */
    static byte[] numbersBody(String messageId) {
        String properties = String.join(",",
                "\"maxLong\":9223372036854775807",
                "\"minLong\":-9223372036854775808",
                "\"beyondLong\":9223372036854775808",
                "\"maxSafeIntegerPlusOne\":9007199254740993",
                "\"hugeInteger\":123456789012345678901234567890123456789012345678901234567890",
                "\"negativeHugeInteger\":-98765432109876543210987654321",
                "\"tiny\":1e-300",
                "\"minPositiveDouble\":4.9E-324",
                "\"maxDouble\":1.7976931348623157e308",
                "\"beyondDouble\":1e400",
                "\"negativeZero\":-0.0",
                "\"zero\":0",
                "\"pointOne\":0.1",
                "\"pi\":3.14159265358979323846264338327950288419716939937510",
                "\"manyDecimals\":123456789.123456789123456789",
                "\"exponent\":6.02214076E+23",
                "\"array\":[0,-1,1,2147483647,-2147483648,2147483648,1.5,-1.5e-10]");
        String body = "{\"type\":\"track\",\"messageId\":\"" + messageId + "\",\"userId\":\"numbers-user\","
                + "\"event\":\"Numbers At The Edges\",\"properties\":{" + properties + "}}";
        // Fail here, not later, if the text above is not what it means to be.
        try {
            JsonNode parsed = SpecJson.MAPPER.readTree(body).get("properties");
            if (!parsed.get("beyondDouble").decimalValue().equals(new BigDecimal("1e400"))
                    || !parsed.get("hugeInteger").bigIntegerValue().equals(
                            new BigInteger("123456789012345678901234567890123456789012345678901234567890"))) {
                throw new IllegalStateException("the numbers fixture does not parse as exact numbers");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return body.getBytes(StandardCharsets.UTF_8);
    }

    /** A track call of exactly {@link SpecLimits#MAX_EVENT_BYTES} bytes as sent: the largest the API takes. */
    static byte[] largestEventBody(String messageId) {
        String head = "{\"type\":\"track\",\"messageId\":\"" + messageId + "\",\"userId\":\"large-user\","
                + "\"event\":\"Largest Event\",\"properties\":{\"text\":\"";
        String tail = "\"}}";
        int room = SpecLimits.MAX_EVENT_BYTES - head.length() - tail.length();
        StringBuilder text = new StringBuilder(room);
        String words = "the quick brown fox jumps over the lazy dog 0123456789 ";
        while (text.length() < room) {
            text.append(words, 0, Math.min(words.length(), room - text.length()));
        }
        byte[] body = (head + text + tail).getBytes(StandardCharsets.UTF_8);
        if (body.length != SpecLimits.MAX_EVENT_BYTES) {
            throw new IllegalStateException("largest event is " + body.length + " bytes");
        }
        return body;
    }

    static byte[] write(JsonNode call) {
        try {
            return SpecJson.MAPPER.writeValueAsBytes(call);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The call as the server would accept it: parsed, validated, normalised, with its routing. */
    static AcceptedEvent accept(ObjectNode call) {
        EventType type = EventType.fromWireName(call.path("type").asText())
                .orElseThrow(() -> new IllegalArgumentException("call without a type: " + call));
        return accept(write(call), type);
    }

    static AcceptedEvent accept(byte[] body, EventType type) {
        IntakeResult result;
        try {
            result = INTAKE.readCall(body, type);
        } catch (RequestException e) {
            throw new IllegalStateException("the suite's own call was refused by the intake: " + e.getMessage(), e);
        }
        if (!result.rejected().isEmpty() || result.accepted().size() != 1) {
            throw new IllegalStateException("the suite's own call was refused by the intake: " + result.rejected());
        }
        return result.accepted().get(0);
    }
}
