package io.sluice.core.delivery;

/**
 * Additive-increase, multiplicative-decrease control of the events in flight, as TCP and Flink's
 * Kinesis sink do it: a clean batch raises the limit by a step, a batch with retryable failures
 * (usually throttling) halves it, so the engine settles just under what the service will take.
 */
final class Aimd {

    static final int INCREASE_STEP = 10;
    static final double DECREASE_FACTOR = 0.5;

    private final int min;
    private final int max;
    private int limit;

    Aimd(int min, int max) {
        this.min = min;
        this.max = max;
        this.limit = max;
    }

    int limit() {
        return limit;
    }

    void onSuccess() {
        limit = Math.min(max, limit + INCREASE_STEP);
    }

    void onFailure() {
        limit = Math.max(min, (int) (limit * DECREASE_FACTOR));
    }
}
