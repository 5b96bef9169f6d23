package io.sluice.core.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.intake.Fixtures;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * Realistic {@code /v1/batch} bodies: the Segment docs' example of each call, with the context an
 * analytics.js page sends, padded with properties so that events span 1 to 4 KB. Seeded, so every
 * run measures the same bytes.
 */
public final class BenchPayloads {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private BenchPayloads() {}

    /** {@code count} batch bodies of {@code eventsPerBatch} calls each. */
    public static List<byte[]> batches(int count, int eventsPerBatch, long seed) {
        Random random = new Random(seed);
        List<byte[]> batches = new ArrayList<>(count);
        for (int b = 0; b < count; b++) {
            StringBuilder body = new StringBuilder("{\"batch\":[");
            for (int i = 0; i < eventsPerBatch; i++) {
                if (i > 0) {
                    body.append(',');
                }
                body.append(event(random));
            }
            body.append("],\"sentAt\":\"2024-05-01T12:00:00.100Z\"}");
            batches.add(body.toString().getBytes(StandardCharsets.UTF_8));
        }
        return batches;
    }

    static String event(Random random) {
        try {
            String call = Fixtures.CALLS.get(random.nextInt(Fixtures.CALLS.size()));
            ObjectNode node = (ObjectNode) MAPPER.readTree(Fixtures.bytes(call));
            node.put("messageId", "ajs-next-" + new UUID(random.nextLong(), random.nextLong()));
            node.put("anonymousId", new UUID(random.nextLong(), random.nextLong()).toString());
            node.put("timestamp", "2024-05-01T11:59:59." + (100 + random.nextInt(900)) + "Z");
            node.remove("sentAt");
            node.remove("receivedAt");
            node.remove("originalTimestamp");
            ObjectNode context = node.putObject("context");
            context.putObject("library").put("name", "analytics.js").put("version", "next-1.70.0");
            context.put("locale", "en-US").put("timezone", "Europe/Amsterdam")
                    .put("userAgent", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36");
            context.putObject("page").put("path", "/academy/").put("referrer", "https://www.google.com/")
                    .put("search", "?utm_source=newsletter").put("title", "Analytics Academy")
                    .put("url", "https://segment.com/academy/?utm_source=newsletter");
            context.putObject("userAgentData").put("mobile", false).put("platform", "macOS")
                    .putArray("brands").addObject().put("brand", "Chromium").put("version", "124");
            context.putObject("campaign").put("source", "newsletter").put("medium", "email").put("name", "spring");
            ObjectNode bag = node.has("traits") ? (ObjectNode) node.get("traits") : node.withObject("/properties");
            int target = 1024 + random.nextInt(3 * 1024);
            int i = 0;
            while (MAPPER.writeValueAsBytes(node).length < target) {
                switch (i % 4) {
                    case 0 -> bag.put("field_" + i, "value " + random.nextInt(1_000_000) + " ünïcödé");
                    case 1 -> bag.put("amount_" + i, random.nextInt(100_000) / 100.0);
                    case 2 -> bag.put("flag_" + i, random.nextBoolean());
                    default -> bag.putObject("nested_" + i).put("sku", "SKU-" + random.nextInt(10_000)).put("qty", random.nextInt(9) + 1);
                }
                i++;
            }
            return MAPPER.writeValueAsString(node);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
