package io.sluice.spi.event;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One validated, normalised Segment call, immutable and shared by every destination it is routed to.
 *
 * <p>The typed accessors cover the fields destinations commonly key on. The whole normalised
 * message is serialised once, as UTF-8 JSON, and {@link #json()} hands out read-only views of
 * those bytes, so fan-out to many destinations copies nothing.
 */
public final class Event {

    private final EventType type;
    private final String messageId;
    private final String userId;
    private final String anonymousId;
    private final String previousId;
    private final String eventName;
    private final String groupId;
    private final Instant timestamp;
    private final Instant receivedAt;
    private final byte[] json;

    private Event(Builder b) {
        this.type = Objects.requireNonNull(b.type, "type");
        this.messageId = Objects.requireNonNull(b.messageId, "messageId");
        this.userId = b.userId;
        this.anonymousId = b.anonymousId;
        this.previousId = b.previousId;
        this.eventName = b.eventName;
        this.groupId = b.groupId;
        this.timestamp = Objects.requireNonNull(b.timestamp, "timestamp");
        this.receivedAt = Objects.requireNonNull(b.receivedAt, "receivedAt");
        this.json = Objects.requireNonNull(b.json, "json");
    }

    /**
     * Starts an event. The caller hands over {@code json}, the complete normalised message; it must
     * not modify the array afterwards.
     */
    public static Builder builder(EventType type, String messageId, byte[] json) {
        return new Builder(type, messageId, json);
    }

    public EventType type() {
        return type;
    }

    /** Unique per event; Sluice sets one when the source did not. Consumers de-duplicate on it. */
    public String messageId() {
        return messageId;
    }

    public Optional<String> userId() {
        return Optional.ofNullable(userId);
    }

    public Optional<String> anonymousId() {
        return Optional.ofNullable(anonymousId);
    }

    /** The {@code previousId} of an alias call. */
    public Optional<String> previousId() {
        return Optional.ofNullable(previousId);
    }

    /** The {@code event} name of a track call. */
    public Optional<String> eventName() {
        return Optional.ofNullable(eventName);
    }

    /** The {@code groupId} of a group call. */
    public Optional<String> groupId() {
        return Optional.ofNullable(groupId);
    }

    /** When the event happened, corrected for the sender's clock skew. */
    public Instant timestamp() {
        return timestamp;
    }

    /** When Sluice received it. */
    public Instant receivedAt() {
        return receivedAt;
    }

    /** The normalised message as UTF-8 JSON: a read-only view, no copy. */
    public ByteBuffer json() {
        return ByteBuffer.wrap(json).asReadOnlyBuffer();
    }

    /** The length of {@link #json()} in bytes. */
    public int jsonLength() {
        return json.length;
    }

    /** The normalised message as a string (decodes the bytes each call). */
    public String jsonText() {
        return new String(json, StandardCharsets.UTF_8);
    }

    /** Identifies the event without its payload, which may hold personal data. */
    @Override
    public String toString() {
        return "Event{type=" + type.wireName() + ", messageId=" + messageId + ", bytes=" + json.length + "}";
    }

    /** Builds an {@link Event}. */
    public static final class Builder {
        private final EventType type;
        private final String messageId;
        private final byte[] json;
        private String userId;
        private String anonymousId;
        private String previousId;
        private String eventName;
        private String groupId;
        private Instant timestamp;
        private Instant receivedAt;

        private Builder(EventType type, String messageId, byte[] json) {
            this.type = type;
            this.messageId = messageId;
            this.json = json;
        }

        public Builder userId(String value) {
            this.userId = value;
            return this;
        }

        public Builder anonymousId(String value) {
            this.anonymousId = value;
            return this;
        }

        public Builder previousId(String value) {
            this.previousId = value;
            return this;
        }

        public Builder eventName(String value) {
            this.eventName = value;
            return this;
        }

        public Builder groupId(String value) {
            this.groupId = value;
            return this;
        }

        public Builder timestamp(Instant value) {
            this.timestamp = value;
            return this;
        }

        public Builder receivedAt(Instant value) {
            this.receivedAt = value;
            return this;
        }

        public Event build() {
            return new Event(this);
        }
    }
}
