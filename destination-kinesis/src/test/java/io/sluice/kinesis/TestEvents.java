package io.sluice.kinesis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.spi.event.Event;
import io.sluice.spi.event.EventType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import software.amazon.awssdk.services.kinesis.model.Record;

/** Events for tests, and the way back from a record to its JSON. */
final class TestEvents {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Instant T = Instant.parse("2026-01-02T03:04:05.678Z");

    /** The track call from the issue, byte for byte. */
    static final String ISSUE_EXAMPLE = "{\"userId\":\"user_1\",\"event\":\"User Registered\","
            + "\"properties\":{\"plan\":\"Pro Annual\",\"account_type\":\"Facebook\"}}";

    private TestEvents() {}

    static Event track(String messageId, String userId, String anonymousId, String json) {
        return Event.builder(EventType.TRACK, messageId, json.getBytes(StandardCharsets.UTF_8))
                .userId(userId)
                .anonymousId(anonymousId)
                .eventName("Test")
                .timestamp(T)
                .receivedAt(T)
                .build();
    }

    /** A small track call whose JSON carries its messageId, so a record can be traced back. */
    static Event track(String messageId, String userId) {
        return track(messageId, userId, null, "{\"type\":\"track\",\"messageId\":\"" + messageId
                + "\",\"userId\":\"" + userId + "\",\"event\":\"Test\",\"properties\":{}}");
    }

    /** A track call whose JSON is {@code size} bytes. */
    static Event trackOfSize(String messageId, String userId, int size) {
        String head = "{\"type\":\"track\",\"messageId\":\"" + messageId + "\",\"userId\":\"" + userId
                + "\",\"properties\":{\"padding\":\"";
        String tail = "\"}}";
        return track(messageId, userId, null, head + "x".repeat(size - head.length() - tail.length()) + tail);
    }

    /** One of the Segment Spec examples in {@code segment-spec/}, with its own ids. */
    static Event specExample(EventType type) {
        byte[] bytes = resource("/segment-spec/" + type.wireName() + ".json");
        JsonNode json = read(bytes);
        return Event.builder(type, json.get("messageId").asText(), bytes)
                .userId(text(json, "userId"))
                .anonymousId(text(json, "anonymousId"))
                .previousId(text(json, "previousId"))
                .groupId(text(json, "groupId"))
                .eventName(text(json, "event"))
                .timestamp(Instant.parse(json.get("timestamp").asText()))
                .receivedAt(Instant.parse(json.get("receivedAt").asText()))
                .build();
    }

    /** The message JSON bytes a record carries, decoding Base64 when that is the encoding. */
    static byte[] messageBytes(Record record, PayloadEncoding encoding) {
        byte[] data = record.data().asByteArray();
        return encoding == PayloadEncoding.BASE64 ? Base64.getDecoder().decode(data) : data;
    }

    static String messageId(Record record, PayloadEncoding encoding) {
        return read(messageBytes(record, encoding)).get("messageId").asText();
    }

    static byte[] bytes(Event event) {
        byte[] bytes = new byte[event.jsonLength()];
        event.json().get(bytes);
        return bytes;
    }

    static JsonNode read(byte[] json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String text(JsonNode json, String field) {
        JsonNode value = json.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static byte[] resource(String name) {
        try (InputStream in = TestEvents.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
