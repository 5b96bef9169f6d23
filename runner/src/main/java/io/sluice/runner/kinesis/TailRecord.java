package io.sluice.runner.kinesis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.spec.SpecJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * One Kinesis record as {@code sluice tail} prints it:
 * {@code {"shardId","partitionKey","sequenceNumber","approximateArrivalTimestamp","encoding","event"}}.
 *
 * <p>The payload encoding is detected per record, since a stream may hold both: JSON bytes
 * ({@code encoding: json}), or the Base64 text of JSON, as Segment's integration writes it
 * ({@code encoding: base64}). Anything else is kept as {@code dataBase64} with {@code encoding: raw}.
 */
final class TailRecord {

    private TailRecord() {}

    static ObjectNode of(String shardId, String partitionKey, String sequenceNumber, Instant arrival, byte[] data) {
        ObjectNode line = SpecJson.MAPPER.createObjectNode();
        line.put("shardId", shardId);
        line.put("partitionKey", partitionKey);
        line.put("sequenceNumber", sequenceNumber);
        line.put("approximateArrivalTimestamp", arrival == null ? null : arrival.toString());
        Optional<JsonNode> json = json(data);
        if (json.isPresent()) {
            line.put("encoding", "json");
            line.set("event", json.get());
            return line;
        }
        Optional<JsonNode> decoded = base64(data).flatMap(TailRecord::json);
        if (decoded.isPresent()) {
            line.put("encoding", "base64");
            line.set("event", decoded.get());
            return line;
        }
        line.put("encoding", "raw");
        line.put("dataBase64", Base64.getEncoder().encodeToString(data));
        return line;
    }

    /** JSON objects and arrays only: a bare string or number is not an event. */
    private static Optional<JsonNode> json(byte[] data) {
        try {
            JsonNode node = SpecJson.MAPPER.readTree(data);
            return node != null && (node.isObject() || node.isArray()) ? Optional.of(node) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Optional<byte[]> base64(byte[] data) {
        String text = new String(data, StandardCharsets.US_ASCII).trim();
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Base64.getMimeDecoder().decode(text));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
