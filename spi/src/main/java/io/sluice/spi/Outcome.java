package io.sluice.spi;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/** What happened to one event of a batch. */
public sealed interface Outcome permits Outcome.Delivered, Outcome.Retryable, Outcome.Rejected {

    /** Shared instance for a delivery with nothing to report. */
    Delivered DELIVERED = new Delivered(Map.of());

    static Delivered delivered() {
        return DELIVERED;
    }

    /** Delivered, with what the service said about it (e.g. shard and sequence number). */
    static Delivered delivered(Map<String, String> receipt) {
        return new Delivered(receipt);
    }

    /** Not delivered this time; the engine will send it again. */
    static Retryable retryable(String reason) {
        return new Retryable(reason);
    }

    /**
     * Not delivered this time, and the service asked to wait at least {@code retryAfter} (an HTTP
     * 429's {@code Retry-After}, say): the engine sends it again no sooner, or later if its own
     * backoff says so.
     */
    static Retryable retryable(String reason, Duration retryAfter) {
        return new Retryable(reason, retryAfter);
    }

    /** Can never be delivered as it is; the engine dead-letters it with the reason. */
    static Rejected rejected(String reason) {
        return new Rejected(reason);
    }

    /** The service accepted the event. */
    record Delivered(Map<String, String> receipt) implements Outcome {
        public Delivered {
            receipt = Map.copyOf(receipt);
        }
    }

    /**
     * A transient failure: throttling, a 5xx, a timeout, a lost connection, a fixable misconfiguration.
     *
     * @param retryAfter the least wait the service asked for; {@link Duration#ZERO} when it said nothing
     */
    record Retryable(String reason, Duration retryAfter) implements Outcome {
        public Retryable {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(retryAfter, "retryAfter");
            if (retryAfter.isNegative()) {
                throw new IllegalArgumentException("retryAfter must not be negative, was " + retryAfter);
            }
        }

        /** With no wait asked for. */
        public Retryable(String reason) {
            this(reason, Duration.ZERO);
        }
    }

    /** A permanent failure for this event alone: retrying it unchanged cannot succeed. */
    record Rejected(String reason) implements Outcome {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
