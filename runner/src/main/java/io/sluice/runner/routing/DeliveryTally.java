package io.sluice.runner.routing;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** Counts of one destination's outcomes, with the reasons of failures, for {@code sluice send}'s summary. */
public final class DeliveryTally {

    /** Distinct failure reasons kept; the rest are counted under {@link #OTHER}. */
    static final int MAX_REASONS = 20;
    static final String OTHER = "(other reasons)";

    private final AtomicLong delivered = new AtomicLong();
    private final Map<String, Long> failures = new LinkedHashMap<>();

    void recordDelivered() {
        delivered.incrementAndGet();
    }

    synchronized void recordFailure(String reason) {
        String key = failures.containsKey(reason) || failures.size() < MAX_REASONS ? reason : OTHER;
        failures.merge(key, 1L, Long::sum);
    }

    public long delivered() {
        return delivered.get();
    }

    /** Failure counts by reason. */
    public synchronized Map<String, Long> failures() {
        return new LinkedHashMap<>(failures);
    }
}
