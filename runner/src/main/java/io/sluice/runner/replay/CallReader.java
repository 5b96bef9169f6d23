package io.sluice.runner.replay;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.spec.ErrorCode;
import io.sluice.core.spec.SpecJson;
import io.sluice.core.spec.SpecLimits;
import io.sluice.core.spec.SpecParser;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads what {@code sluice send} replays and hands it on as batch bodies of at most
 * {@link #CHUNK_BYTES}, each call labelled with where it came from ({@code line 12},
 * {@code line 3, batch[7]}).
 *
 * <p>Three shapes are understood, and may be mixed: one call per line (NDJSON, each with its
 * {@code type}); batch objects {@code {"batch":[...]}} (their {@code context}, {@code integrations}
 * and {@code sentAt} are merged into each item as the API does); and dead-letter lines
 * {@code {"call":{...}}}, whose call is taken. When the first line is not a whole JSON value, the
 * input is read as a sequence of (pretty-printed) JSON documents instead of lines.
 */
final class CallReader {

    /** Below the 500 KB batch limit, with room for the wrapper. */
    static final int CHUNK_BYTES = 450 * 1024;
    static final int CHUNK_CALLS = 500;

    /** Receives what was read. */
    interface Sink {
        /** A batch body of calls, and the origin of each call in order. */
        void batch(byte[] body, List<String> origins) throws InterruptedException;

        /** Something that is not a call; it is counted as rejected. */
        void unreadable(String origin, String code, String message);
    }

    private static final byte[] BATCH_OPEN = "{\"batch\":[".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] BATCH_CLOSE = "]}".getBytes(StandardCharsets.US_ASCII);

    private final Sink sink;
    private final List<String> origins = new ArrayList<>();
    /** The chunk's calls, each serialised once: measured by it, and joined into the batch body. */
    private final List<byte[]> pending = new ArrayList<>();
    private int pendingBytes;

    CallReader(Sink sink) {
        this.sink = sink;
    }

    void read(BufferedReader in) throws IOException, InterruptedException {
        String first = in.readLine();
        int lineNumber = 1;
        while (first != null && first.isBlank()) {
            first = in.readLine();
            lineNumber++;
        }
        if (first == null) {
            return;
        }
        if (!isWholeValue(first)) {
            readDocuments(new ChainedReader(first, in), lineNumber);
            flush();
            return;
        }
        for (String line = first; line != null; line = in.readLine(), lineNumber++) {
            if (line.isBlank()) {
                continue;
            }
            String origin = "line " + lineNumber;
            JsonNode value;
            try {
                value = SpecJson.MAPPER.readTree(line);
            } catch (JsonProcessingException e) {
                sink.unreadable(origin, ErrorCode.INVALID_JSON.code(), "not valid JSON: " + e.getOriginalMessage());
                continue;
            }
            value(value, origin);
        }
        flush();
    }

    private static boolean isWholeValue(String line) {
        try {
            SpecJson.MAPPER.readTree(line);
            return true;
        } catch (JsonProcessingException e) {
            return false;
        }
    }

    private void readDocuments(Reader in, int firstLine) throws IOException, InterruptedException {
        try (MappingIterator<JsonNode> values = SpecJson.MAPPER.readerFor(JsonNode.class)
                .without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .readValues(in)) {
            while (true) {
                JsonParser parser = values.getParser();
                JsonNode value;
                try {
                    if (!values.hasNextValue()) {
                        return;
                    }
                    value = values.nextValue();
                } catch (JsonProcessingException e) {
                    long line = e.getLocation() == null ? -1 : e.getLocation().getLineNr() + firstLine - 1;
                    sink.unreadable("line " + line, ErrorCode.INVALID_JSON.code(),
                            "not valid JSON, the rest of the input is skipped: " + e.getOriginalMessage());
                    return;
                }
                long line = parser.currentTokenLocation().getLineNr() + firstLine - 1;
                value(value, "line " + Math.max(firstLine, line));
            }
        }
    }

    private void value(JsonNode value, String origin) throws InterruptedException {
        if (!(value instanceof ObjectNode object)) {
            sink.unreadable(origin, ErrorCode.NOT_AN_OBJECT.code(), "a call must be a JSON object");
            return;
        }
        JsonNode batch = object.get("batch");
        if (batch != null && !object.has("type")) {
            if (!batch.isArray()) {
                sink.unreadable(origin, ErrorCode.INVALID_BATCH.code(), "batch: must be an array of calls");
                return;
            }
            for (int i = 0; i < batch.size(); i++) {
                String itemOrigin = origin + ", batch[" + i + "]";
                if (batch.get(i) instanceof ObjectNode item) {
                    inherit(item, object);
                    call(item, itemOrigin);
                } else {
                    sink.unreadable(itemOrigin, ErrorCode.NOT_AN_OBJECT.code(), "a call must be a JSON object");
                }
            }
            return;
        }
        JsonNode call = object.get("call");
        if (call != null && !object.has("type")) {
            if (call instanceof ObjectNode c) {
                call(c, origin);
            } else {
                sink.unreadable(origin, ErrorCode.NOT_AN_OBJECT.code(), "the dead-letter line has no call object to send");
            }
            return;
        }
        call(object, origin);
    }

    /** The batch's shared fields, as the API merges them: the item's own keys win. */
    private static void inherit(ObjectNode item, ObjectNode batch) {
        SpecParser.inherit(item, "context", batch.get("context"));
        SpecParser.inherit(item, "integrations", batch.get("integrations"));
        JsonNode sentAt = batch.get("sentAt");
        if (sentAt != null && sentAt.isTextual() && !item.hasNonNull("sentAt")) {
            item.set("sentAt", sentAt);
        }
    }

    private void call(ObjectNode call, String origin) throws InterruptedException {
        byte[] json;
        try {
            json = SpecJson.MAPPER.writeValueAsBytes(call);
        } catch (JsonProcessingException e) {
            sink.unreadable(origin, ErrorCode.INVALID_JSON.code(), e.getOriginalMessage());
            return;
        }
        int size = json.length;
        if (size > SpecLimits.MAX_EVENT_BYTES) {
            // Checked here, not left to intake: a call this large would break the batch it travels in.
            sink.unreadable(origin, ErrorCode.EVENT_TOO_LARGE.code(),
                    "the call is " + size + " bytes; the limit is " + SpecLimits.MAX_EVENT_BYTES);
            return;
        }
        if (pendingBytes + size > CHUNK_BYTES || pending.size() >= CHUNK_CALLS) {
            flush();
        }
        pending.add(json);
        pendingBytes += size + 1;
        origins.add(origin);
    }

    private void flush() throws InterruptedException {
        if (pending.isEmpty()) {
            return;
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream(pendingBytes + BATCH_OPEN.length + 2);
        body.writeBytes(BATCH_OPEN);
        for (int i = 0; i < pending.size(); i++) {
            if (i > 0) {
                body.write(',');
            }
            body.writeBytes(pending.get(i));
        }
        body.writeBytes(BATCH_CLOSE);
        byte[] bytes = body.toByteArray();
        List<String> chunkOrigins = List.copyOf(origins);
        pending.clear();
        pendingBytes = 0;
        origins.clear();
        sink.batch(bytes, chunkOrigins);
    }

    /** The first line, already read, followed by the rest of the input. */
    private static final class ChainedReader extends Reader {
        private final Reader head;
        private final Reader tail;
        private boolean headDone;

        ChainedReader(String firstLine, Reader tail) {
            this.head = new StringReader(firstLine + "\n");
            this.tail = tail;
        }

        @Override
        public int read(char[] buffer, int offset, int length) throws IOException {
            if (!headDone) {
                int n = head.read(buffer, offset, length);
                if (n > 0) {
                    return n;
                }
                headDone = true;
            }
            return tail.read(buffer, offset, length);
        }

        @Override
        public void close() throws IOException {
            tail.close();
        }
    }
}
