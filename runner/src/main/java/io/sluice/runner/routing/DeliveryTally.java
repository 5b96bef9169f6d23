package io.sluice.runner.routing;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts of one destination's outcomes, with the reasons of failures, for {@code sluice send}'s
 * summary and the dashboard's totals.
 */
public final class DeliveryTally {

    /** Distinct failure reasons kept; the rest are counted under {@link #OTHER}. */
    static final int MAX_REASONS = 20;
    static final String OTHER = "(other reasons)";

    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final Map<String, Long> failures = new LinkedHashMap<>();

    void recordDelivered() {
        delivered.incrementAndGet();
    }

    void recordRetried() {
        retried.incrementAndGet();
    }

    synchronized void recordFailure(String reason) {
        String key = failures.containsKey(reason) || failures.size() < MAX_REASONS ? reason : OTHER;
        failures.merge(key, 1L, Long::sum);
    }

    public long delivered() {
        return delivered.get();
    }

    /** Retryable failures: each attempt that will be made again. */
    public long retried() {
        return retried.get();
    }

    /** Failure counts by reason. */
    public synchronized Map<String, Long> failures() {
        return new LinkedHashMap<>(failures);
    }
}
