package io.sluice.conformance;

/**
 * A behaviour a destination may not have. Every capability is supported unless the plugin's test
 * opts out in {@link DestinationConformanceTest#hasBehavior}. An opt-out does not skip the check:
 * the check then asserts the exact "not supported" behaviour written on each constant.
 */
public enum Capability {

    /**
     * More than one event per request.
     *
     * <p>Opted out: {@code limits().maxEvents()} must be 1, and every request the engine makes holds
     * exactly one event.
     */
    BATCHING,

    /**
     * Events of one user (the same {@code userId}) arrive in the order they were offered, given one
     * request in flight at a time.
     *
     * <p>Opted out: every event still arrives exactly once; only the order is not checked.
     */
    ORDERING_PER_PARTITION,

    /**
     * The test target can be made to fail requests retryably ({@link TestTarget#injectRetryableFailures}),
     * and the destination reports such a failure as {@link io.sluice.spi.Outcome.Retryable}.
     *
     * <p>Opted out: {@link TestTarget#injectRetryableFailures} must throw
     * {@link UnsupportedOperationException}, so the opt-out cannot hide a target that could have been tested.
     */
    RETRYABLE_ERRORS,

    /**
     * An event larger than {@code limits().maxBytes()} (which the engine hands over alone, see
     * {@link io.sluice.spi.BatchLimits}) is {@link io.sluice.spi.Outcome.Rejected} with a reason.
     *
     * <p>Opted out (a destination with no size limit of its own): such an event is delivered, intact.
     */
    REJECTING_OVERSIZE_EVENTS,

    /**
     * The service reports success or failure per record of a request, and the test target can fail
     * chosen records of the next request ({@link TestTarget#injectRecordFailures}): outcome {@code i}
     * must be event {@code i}'s, Retryable for the failed records and Delivered for the rest.
     *
     * <p>Opted out (all or nothing per request, or one event per request):
     * {@link TestTarget#injectRecordFailures} must throw {@link UnsupportedOperationException}.
     */
    PARTIAL_FAILURES,

    /**
     * The service can refuse events for good (a 4xx about the events themselves), and the test target
     * can make it do so ({@link TestTarget#injectPermanentFailures}): those events are
     * {@link io.sluice.spi.Outcome.Rejected} with a reason, never retried.
     *
     * <p>Opted out (a service that never refuses an event for good, other than for its size):
     * {@link TestTarget#injectPermanentFailures} must throw {@link UnsupportedOperationException}.
     */
    PERMANENT_ERRORS,

    /**
     * The service can refuse a request because of the configuration (an unknown target, bad
     * credentials), and the test target can make it do so ({@link TestTarget#injectConfigurationFailures}):
     * the events are Retryable (kept), {@code health()} turns unhealthy with a message, and healthy
     * again once a delivery succeeds.
     *
     * <p>Opted out: {@link TestTarget#injectConfigurationFailures} must throw {@link UnsupportedOperationException}.
     */
    CONFIGURATION_ERRORS
}
