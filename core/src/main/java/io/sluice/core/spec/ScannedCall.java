package io.sluice.core.spec;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One call object as its top-level members, each a byte range of the request body. The pipeline
 * edits only a few top-level members, so the event's JSON copies every untouched member's bytes as
 * sent and generates only the edited ones: no tree of {@code properties} or {@code context} is built
 * or serialised again. Built by {@link #scan}, which refuses duplicate keys at any depth (the parser
 * throws), so a copied range never holds a member Jackson's tree would have dropped.
 */
public final class ScannedCall {

    /** The members the validator and normaliser read: small scalars, plus {@code integrations} for routing. */
    private static final Set<String> READ = Set.of("type", "userId", "anonymousId", "previousId", "groupId", "event",
            "messageId", "timestamp", "sentAt", "originalTimestamp", "writeKey", "integrations");

    private final byte[] source;
    private final int from;
    private final int to;
    private final List<Member> members;

    private ScannedCall(byte[] source, int from, int to, List<Member> members) {
        this.source = source;
        this.from = from;
        this.to = to;
        this.members = members;
    }

    /**
     * Reads the object that starts at the parser's current token ({@code START_OBJECT}) of a parser
     * over {@code source} (offset 0) with {@link JsonParser.Feature#STRICT_DUPLICATE_DETECTION}.
     * Leaves the parser on the object's {@code END_OBJECT}.
     */
    static ScannedCall scan(JsonParser parser, byte[] source) throws IOException {
        int start = offset(parser);
        List<Member> members = new ArrayList<>(16);
        JsonToken token = parser.nextToken();
        while (token == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            int nameAt = offset(parser);
            JsonToken kind = parser.nextToken();
            int valueAt = offset(parser);
            JsonNode value = null;
            if (READ.contains(name)) {
                value = SpecJson.MAPPER.readTree(parser);
            } else {
                skipChecked(parser);
            }
            token = parser.nextToken();
            members.add(new Member(name, nameAt, valueAt, endOfValue(source, offset(parser)), kind, value));
        }
        if (token != JsonToken.END_OBJECT) {
            throw new JsonParseException(parser, "expected the end of the call object");
        }
        return new ScannedCall(source, start, (int) parser.currentLocation().getByteOffset(), members);
    }

    /**
     * Skips the value at the parser's current token. Reads the floats with an exponent as Jackson's tree
     * does ({@link java.math.BigDecimal}), so one it cannot hold fails here too; without an exponent a
     * float always fits.
     */
    static void skipChecked(JsonParser parser) throws IOException {
        int depth = 0;
        JsonToken token = parser.currentToken();
        while (true) {
            if (token == null) {
                throw new JsonParseException(parser, "unexpected end of input");
            } else if (token.isStructStart()) {
                depth++;
            } else if (token.isStructEnd()) {
                depth--;
            } else if (token == JsonToken.VALUE_NUMBER_FLOAT && hasExponent(parser)) {
                parser.getDecimalValue();
            }
            if (depth == 0) {
                return;
            }
            token = parser.nextToken();
        }
    }

    private static boolean hasExponent(JsonParser parser) throws IOException {
        char[] text = parser.getTextCharacters();
        int end = parser.getTextOffset() + parser.getTextLength();
        for (int i = parser.getTextOffset(); i < end; i++) {
            if (text[i] == 'e' || text[i] == 'E') {
                return true;
            }
        }
        return false;
    }

    private static int offset(JsonParser parser) {
        return (int) parser.currentTokenLocation().getByteOffset();
    }

    /** Where a value ends, given where the next token starts: before any whitespace and the separating comma. */
    private static int endOfValue(byte[] source, int next) {
        int i = skipWhitespaceBack(source, next);
        if (source[i - 1] == ',') {
            i = skipWhitespaceBack(source, i - 1);
        }
        return i;
    }

    private static int skipWhitespaceBack(byte[] source, int i) {
        while (source[i - 1] == ' ' || source[i - 1] == '\n' || source[i - 1] == '\r' || source[i - 1] == '\t') {
            i--;
        }
        return i;
    }

    /** The call's size as sent, in bytes. */
    int rawBytes() {
        return to - from;
    }

    /** A top-level member's value, or null when absent. */
    public JsonNode get(String name) {
        Member member = find(name);
        if (member == null) {
            return null;
        }
        if (member.value == null) {
            member.value = readRange(member.valueAt, member.to);
        }
        return member.value;
    }

    /** The first token of a top-level member's value ({@code START_OBJECT}, {@code VALUE_NULL}...), or null when absent. */
    public JsonToken kind(String name) {
        Member member = find(name);
        return member == null ? null : member.kind;
    }

    /** Sets a member: in place when present, as Jackson's {@code ObjectNode.set} does, else at the end. */
    public void put(String name, JsonNode value) {
        Member member = find(name);
        if (member == null) {
            members.add(Member.generated(name, value));
        } else {
            member.value = value;
            member.kind = value.asToken();
            member.raw = false;
        }
    }

    /** Removes a member and returns its value, or null when absent. */
    public JsonNode remove(String name) {
        JsonNode value = get(name);
        members.removeIf(m -> m.name.equals(name));
        return value;
    }

    /** The call as a tree: for calls that are rejected (dead letters, the debugger), off the accepted path. */
    public ObjectNode toNode() {
        ObjectNode node = SpecJson.MAPPER.createObjectNode();
        for (Member member : members) {
            node.set(member.name, get(member.name));
        }
        return node;
    }

    /** The call as UTF-8 JSON: untouched members copied byte for byte, edited ones generated. */
    public byte[] toJson() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(to - from + 256);
        out.write('{');
        for (int i = 0; i < members.size(); i++) {
            Member member = members.get(i);
            if (i > 0) {
                out.write(',');
            }
            if (member.raw) {
                out.write(source, member.nameAt, member.to - member.nameAt);
            } else {
                writeString(out, member.name);
                out.write(':');
                writeValue(out, member.value);
            }
        }
        out.write('}');
        return out.toByteArray();
    }

    private static void writeValue(ByteArrayOutputStream out, JsonNode value) {
        if (value instanceof TextNode text) {
            writeString(out, text.textValue());
            return;
        }
        try {
            out.writeBytes(SpecJson.MAPPER.writeValueAsBytes(value));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeString(ByteArrayOutputStream out, String text) {
        out.write('"');
        out.writeBytes(JsonStringEncoder.getInstance().quoteAsUTF8(text));
        out.write('"');
    }

    private JsonNode readRange(int start, int end) {
        try (JsonParser parser = SpecJson.MAPPER.createParser(source, start, end - start)) {
            return SpecJson.MAPPER.readTree(parser);
        } catch (IOException e) {
            throw new UncheckedIOException("a scanned value no longer parses", e);
        }
    }

    private Member find(String name) {
        for (Member member : members) {
            if (member.name.equals(name)) {
                return member;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return "ScannedCall[" + members.size() + " members, " + rawBytes() + " bytes]";
    }

    /** One top-level member: its bytes {@code [nameAt, to)}, value from {@code valueAt}; {@code value} once read. */
    private static final class Member {
        final String name;
        final int nameAt;
        final int valueAt;
        final int to;
        JsonToken kind;
        JsonNode value;
        boolean raw;

        Member(String name, int nameAt, int valueAt, int to, JsonToken kind, JsonNode value) {
            this.name = name;
            this.nameAt = nameAt;
            this.valueAt = valueAt;
            this.to = to;
            this.kind = kind;
            this.value = kind == JsonToken.VALUE_NULL ? NullNode.getInstance() : value;
            this.raw = true;
        }

        static Member generated(String name, JsonNode value) {
            Member member = new Member(name, -1, -1, -1, value.asToken(), value);
            member.raw = false;
            return member;
        }
    }
}
