package io.sluice.core.spec;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.sluice.spi.event.EventType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Splits a request body into calls: one call for {@code /v1/track} and its siblings, or the items of
 * a {@code /v1/batch} body {@code {"batch":[...], "context":{...}, "integrations":{...}, "sentAt":...}}.
 * The batch's {@code context} and {@code integrations} are merged into each item, the item's own
 * keys winning; {@code writeKey} is taken out of every call so it never reaches a destination.
 */
public final class SpecParser {

    private static final ObjectMapper MAPPER = SpecJson.MAPPER;
    private static final ObjectReader CALL_READER = MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /**
     * Reads one call. {@code type} is the call the path names, and overrides any {@code type} field,
     * as on Segment's API.
     */
    public ParsedRequest parseCall(byte[] body, EventType type) throws RequestException {
        if (body.length > SpecLimits.MAX_EVENT_BYTES) {
            throw new RequestException(new SpecError(ErrorCode.EVENT_TOO_LARGE, "$",
                    "the call is " + body.length + " bytes; the limit is " + SpecLimits.MAX_EVENT_BYTES));
        }
        ScannedCall call;
        try {
            call = scanCall(body);
        } catch (IOException | IllegalArgumentException unusual) {
            // Invalid JSON, duplicate keys: Jackson's tree decides, as it always has.
            call = fromTree(readTree(body), "$");
        }
        Optional<String> writeKey = takeWriteKey(call);
        call.put("type", TextNode.valueOf(type.wireName()));
        return new ParsedRequest(writeKey, List.of(new RawCall(call, "$", body.length, Optional.empty())), List.of());
    }

    private static ScannedCall scanCall(byte[] body) throws IOException {
        try (JsonParser parser = strictParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new JsonParseException(parser, "not an object");
            }
            ScannedCall call = ScannedCall.scan(parser, body);
            if (parser.nextToken() != null) {
                throw new JsonParseException(parser, "trailing tokens");
            }
            return call;
        }
    }

    /** Reads a batch body; items that are not objects are reported in {@link ParsedRequest#errors()}. */
    public ParsedRequest parseBatch(byte[] body) throws RequestException {
        if (body.length > SpecLimits.MAX_BATCH_BYTES) {
            throw new RequestException(new SpecError(ErrorCode.BATCH_TOO_LARGE, "$",
                    "the batch is " + body.length + " bytes; the limit is " + SpecLimits.MAX_BATCH_BYTES));
        }
        try {
            return readBatch(body, true);
        } catch (IOException | IllegalArgumentException unusual) {
            // Invalid JSON, duplicate keys, a number Jackson cannot hold: Jackson's tree decides, as it always has.
        }
        try {
            return readBatch(body, false);
        } catch (JsonProcessingException e) {
            throw invalidJson(e.getOriginalMessage());
        } catch (IOException | IllegalArgumentException e) {
            // IllegalArgumentException: Jackson's NumberFormatException for a number it cannot hold (1e2147483648)
            throw invalidJson(e.getMessage());
        }
    }

    /**
     * Streams through a batch body. With {@code scan}, items are scanned in place ({@link ScannedCall})
     * and anything unusual throws; without, each item is read as a tree first, Jackson's way.
     */
    private static ParsedRequest readBatch(byte[] body, boolean scan) throws IOException, RequestException {
        BatchBody batch = new BatchBody();
        try (JsonParser parser = scan ? strictParser(body) : MAPPER.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw notAnObject("$");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (field) {
                    case "batch" -> readItems(parser, value, batch, body, scan);
                    case "context" -> batch.context = MAPPER.readTree(parser);
                    case "integrations" -> batch.integrations = MAPPER.readTree(parser);
                    case "writeKey" -> batch.writeKey = readWriteKey(parser, value);
                    case "sentAt" -> batch.sentAt = readSentAt(parser, value);
                    default -> parser.skipChildren();
                }
            }
            if (parser.nextToken() != null) {
                throw invalidJson("unexpected content after the batch object");
            }
        }
        if (batch.items == null) {
            throw new RequestException(new SpecError(ErrorCode.INVALID_BATCH, "$.batch", "batch: must be an array of calls"));
        }
        return batch.toRequest();
    }

    private static void readItems(JsonParser parser, JsonToken token, BatchBody batch, byte[] body, boolean scan)
            throws IOException, RequestException {
        if (token != JsonToken.START_ARRAY) {
            throw new RequestException(new SpecError(ErrorCode.INVALID_BATCH, "$.batch", "batch: must be an array of calls"));
        }
        batch.items = new ArrayList<>();
        int index = 0;
        JsonToken item;
        while ((item = parser.nextToken()) != JsonToken.END_ARRAY) {
            String path = "$.batch[" + index++ + "]";
            if (scan && item == JsonToken.START_OBJECT) {
                ScannedCall call = ScannedCall.scan(parser, body);
                batch.items.add(new RawCall(call, path, call.rawBytes(), Optional.empty()));
            } else if (scan) {
                ScannedCall.skipChecked(parser);
                batch.errors.add(notAnObjectItem(path));
            } else {
                long start = parser.currentTokenLocation().getByteOffset();
                JsonNode node = MAPPER.readTree(parser);
                long end = parser.currentLocation().getByteOffset();
                if (node instanceof ObjectNode) {
                    batch.items.add(new RawCall(fromTree(node, path), path, (int) (end - start), Optional.empty()));
                } else {
                    batch.errors.add(notAnObjectItem(path));
                }
            }
        }
    }

    private static SpecError notAnObjectItem(String path) {
        return new SpecError(ErrorCode.NOT_AN_OBJECT, path, path + ": a call must be a JSON object");
    }

    /** A parser that refuses duplicate keys, so every scanned member is the only one of its name. */
    private static JsonParser strictParser(byte[] body) throws IOException {
        return MAPPER.createParser(body).enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    }

    /** Scans a call read as a tree, written back as JSON: its duplicate keys are resolved the tree's way. */
    private static ScannedCall fromTree(JsonNode node, String path) throws RequestException {
        if (!(node instanceof ObjectNode)) {
            throw notAnObject(path);
        }
        try {
            byte[] json = MAPPER.writeValueAsBytes(node);
            try (JsonParser parser = strictParser(json)) {
                parser.nextToken();
                return ScannedCall.scan(parser, json);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Jackson's own output does not scan", e);
        }
    }

    /** Only a string is a write key; any other value is ignored, as in a single call. */
    private static String readWriteKey(JsonParser parser, JsonToken token) throws IOException {
        if (token == JsonToken.VALUE_STRING) {
            return parser.getText();
        }
        parser.skipChildren();
        return null;
    }

    private static Optional<Instant> readSentAt(JsonParser parser, JsonToken token) throws IOException, RequestException {
        if (token == JsonToken.VALUE_NULL) {
            return Optional.empty();
        }
        Optional<Instant> sentAt = token == JsonToken.VALUE_STRING ? Timestamps.parse(parser.getText()) : Optional.empty();
        if (sentAt.isEmpty()) {
            parser.skipChildren();
            throw new RequestException(new SpecError(ErrorCode.INVALID_TIMESTAMP, "$.sentAt",
                    "sentAt: must be an ISO-8601 date-time"));
        }
        return sentAt;
    }

    private static JsonNode readTree(byte[] body) throws RequestException {
        try {
            JsonNode node = CALL_READER.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw invalidJson("the body is empty");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw invalidJson(e.getOriginalMessage());
        } catch (IOException | IllegalArgumentException e) {
            // IllegalArgumentException: Jackson's NumberFormatException for a number it cannot hold (1e2147483648)
            throw invalidJson(e.getMessage());
        }
    }

    private static Optional<String> takeWriteKey(ScannedCall call) {
        JsonNode key = call.remove("writeKey");
        return key != null && key.isTextual() ? Optional.of(key.asText()) : Optional.empty();
    }

    private static RequestException invalidJson(String detail) {
        return new RequestException(new SpecError(ErrorCode.INVALID_JSON, "$", "the body is not valid JSON: " + detail));
    }

    private static RequestException notAnObject(String path) {
        return new RequestException(new SpecError(ErrorCode.NOT_AN_OBJECT, path, "the body must be a JSON object"));
    }

    /**
     * How a batch item takes the batch's {@code context} or {@code integrations}: a shallow merge
     * where the item's own keys win. The batch's nodes are shared between items, not copied:
     * nothing modifies them after parsing.
     */
    public static void inherit(ObjectNode item, String field, JsonNode batchValue) {
        if (!(batchValue instanceof ObjectNode shared) || shared.isEmpty()) {
            return;
        }
        JsonNode own = item.get(field);
        if (own == null || own.isNull()) {
            item.set(field, shared);
        } else if (own instanceof ObjectNode ownObject) {
            addMissing(ownObject, shared);
        }
    }

    /** {@link #inherit(ObjectNode, String, JsonNode)} for a scanned call; its own object is generated again only when it gains keys. */
    static void inherit(ScannedCall item, String field, JsonNode batchValue) {
        if (!(batchValue instanceof ObjectNode shared) || shared.isEmpty()) {
            return;
        }
        JsonToken own = item.kind(field);
        if (own == null || own == JsonToken.VALUE_NULL) {
            item.put(field, shared);
        } else if (own == JsonToken.START_OBJECT) {
            ObjectNode ownObject = (ObjectNode) item.get(field);
            if (addMissing(ownObject, shared)) {
                item.put(field, ownObject);
            }
        }
    }

    /** Adds the keys of {@code shared} that {@code own} lacks; whether it added any. */
    private static boolean addMissing(ObjectNode own, ObjectNode shared) {
        boolean added = false;
        Iterator<Map.Entry<String, JsonNode>> fields = shared.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> e = fields.next();
            if (!own.has(e.getKey())) {
                own.set(e.getKey(), e.getValue());
                added = true;
            }
        }
        return added;
    }

    /** What a batch body holds, gathered while streaming through it. */
    private static final class BatchBody {
        List<RawCall> items;
        final List<SpecError> errors = new ArrayList<>();
        JsonNode context;
        JsonNode integrations;
        String writeKey;
        Optional<Instant> sentAt = Optional.empty();

        ParsedRequest toRequest() {
            Optional<String> key = Optional.ofNullable(writeKey);
            List<RawCall> calls = new ArrayList<>(items.size());
            for (RawCall item : items) {
                Optional<String> itemKey = takeWriteKey(item.call());
                if (key.isEmpty()) {
                    key = itemKey;
                }
                inherit(item.call(), "context", context);
                inherit(item.call(), "integrations", integrations);
                calls.add(new RawCall(item.call(), item.path(), item.rawBytes(), sentAt));
            }
            return new ParsedRequest(key, calls, errors);
        }
    }
}
