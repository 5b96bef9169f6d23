package io.sluice.runner.routing;

import java.time.Duration;

/** Whether a request's events were taken, or must be sent again later. */
public sealed interface Admission {

    /** Every event was handed to every destination that should get it. */
    record Accepted(int events) implements Admission {}

    /** Nothing was taken: a destination's buffer is full. The client should retry after {@code retryAfter}. */
    record Full(String destination, Duration retryAfter) implements Admission {}

    /** Nothing was taken: the disk spool is full. The client should retry after {@code retryAfter}. */
    record SpoolFull(Duration retryAfter) implements Admission {}

    /** Nothing was taken: the spool could not write (a disk error). */
    record SpoolFailed(String reason) implements Admission {}

    /** Nothing was taken: Sluice is shutting down. */
    record Closed() implements Admission {}
}
