package io.sluice.spi;

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

    /** A transient failure: throttling, a 5xx, a timeout, a lost connection, a fixable misconfiguration. */
    record Retryable(String reason) implements Outcome {
        public Retryable {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** A permanent failure for this event alone: retrying it unchanged cannot succeed. */
    record Rejected(String reason) implements Outcome {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
