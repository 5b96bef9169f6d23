package io.sluice.core.delivery;

import java.time.Duration;
import java.util.Objects;

/**
 * How an engine buffers, batches and retries for one destination. The batch size limits come from
 * the destination itself ({@link io.sluice.spi.Destination#limits()}).
 *
 * @param maxBufferedBytes    event bytes held (queued, waiting to retry, in flight) before
 *                            {@link DeliveryEngine#hasRoomFor} says no
 * @param linger              how long a partial batch waits for more events
 * @param maxInFlightRequests requests outstanding at once
 * @param initialBackoff      delay before the first retry; doubled per attempt, with jitter
 * @param maxBackoff          the longest delay between retries
 * @param maxAttempts         attempts before a retryable event is dead-lettered; {@link Integer#MAX_VALUE}
 *                            keeps retrying, so a misconfigured destination holds its events until it is fixed
 */
public record DeliveryPolicy(long maxBufferedBytes, Duration linger, int maxInFlightRequests,
                             Duration initialBackoff, Duration maxBackoff, int maxAttempts) {

    public static final long DEFAULT_MAX_BUFFERED_BYTES = 64L * 1024 * 1024;
    public static final Duration DEFAULT_LINGER = Duration.ofMillis(50);
    public static final int DEFAULT_MAX_IN_FLIGHT_REQUESTS = 8;
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(100);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_ATTEMPTS = Integer.MAX_VALUE;

    public DeliveryPolicy {
        Objects.requireNonNull(linger, "linger");
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        if (maxBufferedBytes < 1 || maxInFlightRequests < 1 || maxAttempts < 1) {
            throw new IllegalArgumentException("maxBufferedBytes, maxInFlightRequests and maxAttempts must be positive");
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
                DEFAULT_INITIAL_BACKOFF, DEFAULT_MAX_BACKOFF, DEFAULT_MAX_ATTEMPTS);
    }

    public DeliveryPolicy withMaxBufferedBytes(long bytes) {
        return new DeliveryPolicy(bytes, linger, maxInFlightRequests, initialBackoff, maxBackoff, maxAttempts);
    }

    public DeliveryPolicy withLinger(Duration value) {
        return new DeliveryPolicy(maxBufferedBytes, value, maxInFlightRequests, initialBackoff, maxBackoff, maxAttempts);
    }

    public DeliveryPolicy withMaxInFlightRequests(int value) {
        return new DeliveryPolicy(maxBufferedBytes, linger, value, initialBackoff, maxBackoff, maxAttempts);
    }

    public DeliveryPolicy withBackoff(Duration initial, Duration max) {
        return new DeliveryPolicy(maxBufferedBytes, linger, maxInFlightRequests, initial, max, maxAttempts);
    }

    public DeliveryPolicy withMaxAttempts(int value) {
        return new DeliveryPolicy(maxBufferedBytes, linger, maxInFlightRequests, initialBackoff, maxBackoff, value);
    }
}
