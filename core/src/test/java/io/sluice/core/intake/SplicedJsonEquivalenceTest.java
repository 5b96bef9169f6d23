package io.sluice.core.intake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.bench.BenchPayloads;
import io.sluice.core.spec.SpecJson;
import io.sluice.core.spec.SpecParser;
import io.sluice.core.spec.Timestamps;
import io.sluice.spi.event.EventType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The event JSON that intake splices from the request's bytes must parse to exactly the tree the
 * former path wrote (Jackson's tree of the call, edited, then serialised whole), and must hold no
 * duplicate key. The former path is kept here as the reference: {@link #expectedCall}.
 */
class SplicedJsonEquivalenceTest {

    static final Instant NOW = Instant.parse("2024-05-01T12:00:00.250Z");
    static final ObjectReader STRICT = SpecJson.MAPPER.reader().with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    final Intake intake = new Intake(Clock.fixed(NOW, ZoneOffset.UTC));

    static Stream<String> batches() throws IOException {
        List<String> bodies = new ArrayList<>();
        for (String call : calls()) {
            bodies.add("{\"batch\":[" + call + "]}");
            bodies.add("{\"batch\":[" + call + "," + call + "],\"sentAt\":\"2024-05-01T12:00:01Z\",\"writeKey\":\"wk\"}");
            bodies.add("{\"context\":{\"library\":{\"name\":\"analytics-java\"},\"ip\":\"127.0.0.1\",\"locale\":\"nl-NL\"},"
                    + "\"integrations\":{\"All\":false,\"Amazon Kinesis\":true},\"batch\":[" + call + "]}");
            bodies.add("{\"batch\":[" + call + "],\"context\":{\"library\":{\"name\":\"analytics-go\"},\"extra\":[1,2]},"
                    + "\"integrations\":{\"Mixpanel\":false},\"sentAt\":\"2024-05-01T11:00:00+01:00\"}");
        }
        for (byte[] body : BenchPayloads.batches(3, 20, 7)) {
            bodies.add(new String(body, StandardCharsets.UTF_8));
        }
        bodies.addAll(List.of(
                // Libraries' wire formats: analytics-node, analytics-python, analytics-ruby, analytics-go
                "{\"batch\":[{\"type\":\"track\",\"event\":\"Signed Up\",\"userId\":\"u1\",\"properties\":{\"plan\":\"pro\"},"
                        + "\"context\":{\"library\":{\"name\":\"analytics-node\",\"version\":\"6.0.0\"}},"
                        + "\"_metadata\":{\"nodeVersion\":\"20.1.0\",\"jsRuntime\":\"node\"},"
                        + "\"timestamp\":\"2024-05-01T11:59:59.900Z\",\"messageId\":\"node-1\"}],"
                        + "\"writeKey\":\"wk\",\"sentAt\":\"2024-05-01T12:00:00.000Z\"}",
                "{\"batch\": [{\"integrations\": {}, \"anonymousId\": null, \"properties\": {\"amount\": 12.50}, "
                        + "\"timestamp\": \"2024-05-01T11:59:59.123456+00:00\", \"context\": {\"library\": {\"name\": "
                        + "\"analytics-python\", \"version\": \"2.3.2\"}}, \"userId\": \"u2\", \"type\": \"track\", "
                        + "\"event\": \"Paid\", \"messageId\": \"py-1\"}], \"sentAt\": \"2024-05-01T12:00:00.001+00:00\"}",
                "{\"sentAt\":\"2024-05-01T12:00:00.000+00:00\",\"batch\":[{\"type\":\"identify\",\"userId\":\"u3\",\"traits\""
                        + ":{\"email\":\"a@example.com\"},\"context\":{\"library\":{\"name\":\"analytics-ruby\"}},"
                        + "\"timestamp\":\"2024-05-01T11:59:58.000+00:00\",\"messageId\":\"rb-1\"}]}",
                "{\n  \"batch\": [\n    {\n      \"type\": \"page\",\n      \"anonymousId\": \"a4\",\n      \"name\": \"Home\",\n"
                        + "      \"timestamp\": \"2024-05-01T11:59:57Z\"\n    }\n  ],\n  \"context\": {\n    \"library\": {\n"
                        + "      \"name\": \"analytics-go\",\n      \"version\": \"3.0.0\"\n    }\n  },\n"
                        + "  \"messageId\": \"go-batch\",\n  \"sentAt\": \"2024-05-01T12:00:00Z\"\n}\n",
                // Duplicate keys, top level and nested: the tree keeps the last
                "{\"batch\":[{\"type\":\"track\",\"userId\":\"u\",\"event\":\"A\",\"event\":\"B\",\"properties\":{\"x\":1,\"x\":2}}]}",
                "{\"batch\":[{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"context\":{\"a\":1},\"context\":{\"b\":{\"c\":1,\"c\":[3]}}}],"
                        + "\"context\":{\"a\":9,\"d\":4}}",
                "{\"batch\":[{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\"}],\"batch\":[{\"type\":\"page\",\"userId\":\"v\"}]}",
                "{\"batch\":[{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"timestamp\":\"2024-05-01T11:00:00Z\","
                        + "\"timestamp\":null,\"messageId\":\"m\",\"messageId\":\"\"}]}",
                // Escapes, unicode, emoji, in names and values
                "{\"batch\":[{\"type\":\"track\",\"user\\u0049d\":\"\\u00fc\\\"\\\\/\\n\",\"event\":\"Caf\u00e9 \uD83D\uDE00\","
                        + "\"properties\":{\"\\ud83d\\ude00\":\"\uD83D\uDE00\\ud83d\\ude00\",\"tab\\t\":\"\\b\\f\\r\",\"\u4e2d\":\"\u6587\"},"
                        + "\"ty\\u0070e\":\"track\"}]}",
                // Numbers as sent
                "{\"batch\":[{\"type\":\"track\",\"userId\":12345678901234567890123,\"event\":\"N\",\"properties\":{\"a\":1e400,"
                        + "\"b\":0.1000,\"c\":-0,\"d\":1E+2,\"e\":-1.5e-7,\"f\":[0.0,-0.0,1e0],\"g\":9223372036854775808}},"
                        + "{\"type\":\"identify\",\"userId\":1.50,\"traits\":{\"n\":2.5E3}}]}",
                // Nesting close to the limit
                "{\"batch\":[{\"type\":\"track\",\"userId\":\"u\",\"event\":\"Deep\",\"properties\":" + "{\"d\":[".repeat(97)
                        + "1" + "]}".repeat(97) + "}]}",
                // Context and integrations merging both ways, and members of every kind
                "{\"batch\":[{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"context\":null,\"integrations\":{\"All\":true}},"
                        + "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"context\":{\"ip\":\"127.0.0.2\",\"locale\":\"en\"}},"
                        + "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"context\":{\"ip\":\"127.0.0.3\",\"x\":{\"y\":1}}},"
                        + "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"context\":7},"
                        + "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"context\":{}}],"
                        + "\"context\":{\"ip\":\"127.0.0.1\",\"locale\":\"nl\"},\"integrations\":{\"Segment.io\":false}}",
                // Whitespace everywhere, writeKey in items, messageId to generate, items that are not objects
                " { \"batch\" : [ { \"type\" : \"track\" , \"userId\" : \"u\" , \"event\" : \"E\" , \"writeKey\" : \"k\" } ,\r\n"
                        + "\t{\"type\":\"alias\",\"userId\":\"u\",\"previousId\":\"p\",\"messageId\":null,\"writeKey\":[1]} , 5 , "
                        + "[{\"a\":1}], {\"type\":\"track\"} , {} ] , \"sentAt\" : \"2024-05-01T11:59:00Z\" } ",
                // Timestamps: corrected, kept, replayed
                "{\"batch\":[{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"timestamp\":\"2024-05-01T11:00:00\","
                        + "\"sentAt\":\"2024-05-01T11:00:05Z\"},{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\","
                        + "\"originalTimestamp\":\"2024-04-01T00:00:00Z\",\"timestamp\":\"2024-04-01T00:00:01Z\","
                        + "\"receivedAt\":\"2024-04-01T00:00:02Z\"}],\"sentAt\":\"2024-05-01T11:59:59Z\"}"));
        return bodies.stream();
    }

    static Stream<String> singleCalls() throws IOException {
        return Stream.concat(calls().stream(), Stream.of(
                "{\"userId\":\"u\",\"event\":\"E\",\"type\":\"page\",\"writeKey\":\"k\",\"properties\":{\"a\":[1e400,0.1000]}}",
                "{\"userId\":\"u\",\"userId\":\"v\",\"event\":\"E\",\"properties\":{\"a\":1,\"a\":{\"b\":2}}}",
                " {\n\"anonymousId\" : \"a\" ,\"event\":\"\\u00e9\uD83D\uDE00\", \"timestamp\":\"2024-05-01T11:00:00+02:00\","
                        + "\"sentAt\":\"2024-05-01T11:00:00.5+02:00\"}\n "));
    }

    /** The Spec's example of each call (core's fixtures and the shared ones), compact and pretty. */
    static List<String> calls() throws IOException {
        List<String> calls = new ArrayList<>();
        for (String name : Fixtures.CALLS) {
            calls.add(Fixtures.text(name).trim());
        }
        Path shared = Path.of("/work/shared/segment-spec-examples");
        if (Files.isDirectory(shared)) {
            try (Stream<Path> files = Files.list(shared)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                    calls.add(Files.readString(file).trim());
                }
            }
        }
        List<String> compact = new ArrayList<>();
        for (String call : calls) {
            compact.add(SpecJson.MAPPER.readTree(call).toString());
        }
        calls.addAll(compact);
        return calls;
    }

    @ParameterizedTest
    @MethodSource("batches")
    void batchEventsEqualTheFormerPathsTrees(String body) throws Exception {
        IntakeResult result = intake.readBatch(body.getBytes(StandardCharsets.UTF_8));

        ObjectNode request = (ObjectNode) SpecJson.MAPPER.readTree(body);
        JsonNode batchSentAt = request.get("sentAt");
        Set<String> rejectedPaths = new HashSet<>();
        for (RejectedCall rejected : result.rejected()) {
            rejectedPaths.add(rejected.path());
        }
        int next = 0;
        for (int i = 0; i < request.get("batch").size(); i++) {
            String path = "$.batch[" + i + "]";
            JsonNode item = request.get("batch").get(i);
            if (!(item instanceof ObjectNode call)) {
                assertThat(rejectedPaths).contains(path);
                continue;
            }
            call.remove("writeKey");
            SpecParser.inherit(call, "context", request.get("context"));
            SpecParser.inherit(call, "integrations", request.get("integrations"));
            Optional<Instant> sentAt = Optional.ofNullable(batchSentAt).map(s -> Timestamps.parse(s.asText()).orElseThrow());
            if (rejectedPaths.contains(path)) {
                RejectedCall rejected = result.rejected().stream().filter(r -> r.path().equals(path)).findFirst().orElseThrow();
                assertThat(rejected.call()).as(path).isEqualTo(call);
            } else {
                assertSameEvent(result.accepted().get(next++), call, sentAt);
            }
        }
        assertThat(next).isEqualTo(result.accepted().size());
    }

    @ParameterizedTest
    @MethodSource("singleCalls")
    void singleCallEventsEqualTheFormerPathsTrees(String body) throws Exception {
        for (EventType type : EventType.values()) {
            IntakeResult result = intake.readCall(body.getBytes(StandardCharsets.UTF_8), type);
            ObjectNode call = (ObjectNode) SpecJson.MAPPER.readTree(body);
            call.remove("writeKey");
            call.put("type", type.wireName());
            if (result.accepted().isEmpty()) {
                assertThat(result.rejected()).singleElement().satisfies(r -> assertThat(r.call()).isEqualTo(call));
            } else {
                assertSameEvent(result.accepted().get(0), call, Optional.empty());
            }
        }
    }

    private static void assertSameEvent(AcceptedEvent accepted, ObjectNode call, Optional<Instant> batchSentAt) throws IOException {
        String json = accepted.event().jsonText();
        JsonNode actual = STRICT.readTree(json);
        ObjectNode expected = expectedCall(call, batchSentAt, accepted.event().messageId());
        assertThat(actual).as(json).isEqualTo(expected);
        // The former path's bytes: the same tree, except that it wrote some numbers otherwise than sent
        // (1e0 as 1, an int; -0.0 as 0.0), which now reach destinations as sent: the same values.
        JsonNode formerBytes = STRICT.readTree(SpecJson.MAPPER.writeValueAsBytes(expected));
        assertThat(actual.equals(SplicedJsonEquivalenceTest::sameValue, formerBytes)).as(json).isTrue();
    }

    private static int sameValue(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue());
        }
        return a.equals(b) ? 0 : 1;
    }

    /** The former normaliser, on Jackson's tree: what the spliced JSON must equal. */
    static ObjectNode expectedCall(ObjectNode node, Optional<Instant> batchSentAt, String messageId) {
        JsonNode id = node.get("messageId");
        if (id == null || !id.isTextual() || id.asText().isEmpty()) {
            node.put("messageId", messageId);
        } else {
            assertThat(messageId).isEqualTo(id.asText());
        }
        node.put("receivedAt", Timestamps.format(NOW));
        Optional<Instant> ownSentAt = instant(node, "sentAt");
        Optional<Instant> sentAt = ownSentAt.or(() -> batchSentAt);
        if (ownSentAt.isEmpty()) {
            sentAt.ifPresent(s -> node.put("sentAt", Timestamps.format(s)));
        }
        Optional<Instant> original = instant(node, "originalTimestamp");
        Optional<Instant> sent = instant(node, "timestamp");
        if (original.isEmpty() && sent.isPresent()) {
            original = sent;
            node.set("originalTimestamp", node.get("timestamp"));
        }
        if (original.isPresent() && sentAt.isPresent()) {
            Instant corrected = NOW.minus(Duration.between(original.get(), sentAt.get()));
            if (Timestamps.inRange(corrected)) {
                node.put("timestamp", Timestamps.format(corrected));
                return node;
            }
        }
        if (sent.isEmpty()) {
            node.put("timestamp", Timestamps.format(NOW));
        }
        return node;
    }

    private static Optional<Instant> instant(ObjectNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() ? Timestamps.parse(value.asText()) : Optional.empty();
    }
}
