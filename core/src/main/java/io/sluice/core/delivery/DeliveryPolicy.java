package io.sluice.core.delivery;

import java.time.Duration;
import java.util.Objects;

/**
 * How an engine buffers, batches and retries for one destination. The batch size limits come from
 * the destination itself ({@link io.sluice.spi.Destination#limits()}).
 *
 * @param maxBufferedBytes    the memory window: event bytes held (queued, waiting to retry, in flight).
 *                            With a spool the engine asks for no more than this; without one,
 *                            {@link DeliveryEngine#hasRoomFor} says no beyond it
 * @param linger              how long a partial batch waits for more events
 * @param maxInFlightRequests requests outstanding at once
 * @param initialBackoff      delay before the first retry; doubled per attempt, with jitter
 * @param maxBackoff          the longest delay between retries
 * @param maxAttempts         attempts before a retryable event is dead-lettered; {@link Integer#MAX_VALUE}
 *                            keeps retrying, so a misconfigured destination holds its events until it is fixed
 * @param maxBacklogBytes     payload bytes of this destination's backlog in the spool (undelivered
 *                            events, in memory or on disk) before {@code whenFull} applies;
 *                            {@link Long#MAX_VALUE}: only the spool's own bound
 * @param whenFull            what happens to this destination's new events while its backlog is at its bound
 */
public record DeliveryPolicy(long maxBufferedBytes, Duration linger, int maxInFlightRequests,
                             Duration initialBackoff, Duration maxBackoff, int maxAttempts,
                             long maxBacklogBytes, WhenFull whenFull) {

    /** What a destination whose backlog is full does with new events. */
    public enum WhenFull {
        /** Requests whose events are routed to it are refused (507), so clients keep them and send again. */
        BLOCK,
        /** Its share of new events goes to the dead-letter file ({@code backlog_full}); everything else flows. */
        DEAD_LETTER
    }

    /** Enough for eight requests of 500 events of 4 KB in flight, with the next ones ready. */
    public static final long DEFAULT_MAX_BUFFERED_BYTES = 16L * 1024 * 1024;
    public static final Duration DEFAULT_LINGER = Duration.ofMillis(50);
    public static final int DEFAULT_MAX_IN_FLIGHT_REQUESTS = 8;
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(100);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_ATTEMPTS = Integer.MAX_VALUE;

    public DeliveryPolicy {
        Objects.requireNonNull(linger, "linger");
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(whenFull, "whenFull");
        if (maxBufferedBytes < 1 || maxInFlightRequests < 1 || maxAttempts < 1 || maxBacklogBytes < 1) {
            throw new IllegalArgumentException(
                    "maxBufferedBytes, maxInFlightRequests, maxAttempts and maxBacklogBytes must be positive");
        }
        if (linger.isNegative() || initialBackoff.isNegative() || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("durations must be non-negative and maxBackoff >= initialBackoff");
        }
    }

    /**
     * The delay before retry {@code attempt} (from 1), before jitter: {@link #initialBackoff()}
     * doubled per earlier attempt, at most {@link #maxBackoff()}.
     */
    long backoffNanos(int attempt) {
        long initial = initialBackoff.toNanos();
        long cap = maxBackoff.toNanos();
        int doublings = attempt - 1;
        if (initial == 0) {
            return 0;
        }
        // Compared before shifting: initial << doublings overflows long for a large initial backoff.
        return doublings >= Long.SIZE - 1 || initial > cap >> doublings ? cap : initial << doublings;
    }

    public static DeliveryPolicy defaults() {
        return new DeliveryPolicy(DEFAULT_MAX_BUFFERED_BYTES, DEFAULT_LINGER, DEFAULT_MAX_IN_FLIGHT_REQUESTS,
                DEFAULT_INITIAL_BACKOFF, DEFAULT_MAX_BACKOFF, DEFAULT_MAX_ATTEMPTS, Long.MAX_VALUE, WhenFull.BLOCK);
    }

    public DeliveryPolicy withMaxBufferedBytes(long bytes) {
        return new DeliveryPolicy(bytes, linger, maxInFlightRequests, initialBackoff, maxBackoff, maxAttempts, maxBacklogBytes, whenFull);
    }

    public DeliveryPolicy withLinger(Duration value) {
        return new DeliveryPolicy(maxBufferedBytes, value, maxInFlightRequests, initialBackoff, maxBackoff, maxAttempts, maxBacklogBytes, whenFull);
    }

    public DeliveryPolicy withMaxInFlightRequests(int value) {
        return new DeliveryPolicy(maxBufferedBytes, linger, value, initialBackoff, maxBackoff, maxAttempts, maxBacklogBytes, whenFull);
    }

    public DeliveryPolicy withBackoff(Duration initial, Duration max) {
        return new DeliveryPolicy(maxBufferedBytes, linger, maxInFlightRequests, initial, max, maxAttempts, maxBacklogBytes, whenFull);
    }

    public DeliveryPolicy withMaxAttempts(int value) {
        return new DeliveryPolicy(maxBufferedBytes, linger, maxInFlightRequests, initialBackoff, maxBackoff, value, maxBacklogBytes, whenFull);
    }

    public DeliveryPolicy withBacklog(long maxBytes, WhenFull policy) {
        return new DeliveryPolicy(maxBufferedBytes, linger, maxInFlightRequests, initialBackoff, maxBackoff, maxAttempts,
                maxBytes, policy);
    }
}
