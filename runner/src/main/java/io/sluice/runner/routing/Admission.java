package io.sluice.runner.routing;

import java.time.Duration;

/** Whether a request's events were taken, or must be sent again later. */
public sealed interface Admission {

    /** Every event was handed to every destination that should get it. */
    record Accepted(int events) implements Admission {}

    /** Nothing was taken: without a spool, a destination's memory buffer is full. Retry after {@code retryAfter}. */
    record Full(String destination, Duration retryAfter) implements Admission {}

    /**
     * Nothing was taken: a destination whose events the request routes has its backlog at its bound,
     * and its policy is to block. Retry after {@code retryAfter}.
     */
    record BacklogFull(String destination, Duration retryAfter) implements Admission {}

    /** Nothing was taken: the disk spool is full. The client should retry after {@code retryAfter}. */
    record SpoolFull(Duration retryAfter) implements Admission {}

    /** Nothing was taken: the spool (or the dead-letter file) could not write. */
    record SpoolFailed(String reason) implements Admission {}

    /** Nothing was taken: Sluice is shutting down. */
    record Closed() implements Admission {}
}
