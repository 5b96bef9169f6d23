package io.sluice.core.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.sluice.spi.event.Event;
import io.sluice.spi.event.EventType;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Completes a valid call the way Segment does and writes it once, generating only the members it sets:
 * <ul>
 *   <li>{@code messageId} is set when absent (a random UUID);</li>
 *   <li>{@code receivedAt} is the time Sluice received the request;</li>
 *   <li>{@code originalTimestamp} keeps the timestamp the client sent (a replayed message keeps its own);</li>
 *   <li>with {@code sentAt}, the timestamp is corrected for the client's clock skew:
 *       {@code timestamp = receivedAt - (sentAt - originalTimestamp)}, so normalising twice changes nothing;
 *       a correction that would leave the years 0000 to 9999 is not made, so the event stays valid when
 *       it is sent again (a replay);</li>
 *   <li>without a timestamp, {@code timestamp = receivedAt}.</li>
 * </ul>
 * A timestamp that needs no correction is kept exactly as sent.
 */
public final class Normaliser {

    /**
     * Normalises {@code call}, which {@link SpecValidator} found valid with {@code validation}, with
     * {@code receivedAt} formatted once for a whole request. Edits the call's members.
     */
    public Event normalise(RawCall call, Validation validation, Instant receivedAt, String receivedAtText) {
        ScannedCall node = call.call();
        EventType type = validation.type().orElseThrow(() -> new IllegalArgumentException("unvalidated call"));

        String messageId = text(node, "messageId");
        if (messageId == null || messageId.isEmpty()) {
            messageId = randomUuid();
            node.put("messageId", TextNode.valueOf(messageId));
        }
        node.put("receivedAt", TextNode.valueOf(receivedAtText));

        Optional<Instant> sentAt = validation.sentAt().or(call::sentAt);
        if (validation.sentAt().isEmpty()) {
            sentAt.ifPresent(s -> node.put("sentAt", TextNode.valueOf(Timestamps.format(s))));
        }
        // The client's own clock reading: originalTimestamp when a replayed message already has one.
        Optional<Instant> original = validation.originalTimestamp();
        Optional<Instant> sent = validation.timestamp();
        if (original.isEmpty() && sent.isPresent()) {
            original = sent;
            node.put("originalTimestamp", node.get("timestamp"));
        }
        Optional<Instant> corrected = original.isPresent() && sentAt.isPresent()
                ? Optional.of(receivedAt.minus(Duration.between(original.get(), sentAt.get()))).filter(Timestamps::inRange)
                : Optional.empty();
        Instant timestamp;
        if (corrected.isPresent()) {
            timestamp = corrected.get();
            node.put("timestamp", TextNode.valueOf(Timestamps.format(timestamp)));
        } else if (sent.isPresent()) {
            timestamp = sent.get();
        } else {
            timestamp = receivedAt;
            node.put("timestamp", TextNode.valueOf(receivedAtText));
        }

        byte[] json = node.toJson();
        return Event.builder(type, messageId, json)
                .userId(id(node, "userId"))
                .anonymousId(id(node, "anonymousId"))
                .previousId(id(node, "previousId"))
                .groupId(id(node, "groupId"))
                .eventName(text(node, "event"))
                .timestamp(timestamp)
                .receivedAt(receivedAt)
                .build();
    }

    private static String text(ScannedCall node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() ? value.asText() : null;
    }

    /** Ids may be numbers on the wire; destinations see their text. Empty strings count as absent. */
    private static String id(ScannedCall node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !(value.isTextual() || value.isNumber())) {
            return null;
        }
        String text = value.asText();
        return text.isEmpty() ? null : text;
    }

    /** A version 4 UUID from a thread-local generator: SecureRandom would contend under load. */
    private static String randomUuid() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long msb = (random.nextLong() & ~0xF000L) | 0x4000L;
        long lsb = (random.nextLong() & ~(0xC000000000000000L)) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }
}
