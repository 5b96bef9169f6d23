package io.sluice.spi;

import io.sluice.spi.event.Event;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * One configured destination instance.
 *
 * <p>Lifecycle: {@link #open()} once, then any number of concurrent {@link #deliver} calls (the
 * engine bounds how many are in flight), then {@link #flush()} and {@link #close()}.
 *
 * <p>The engine batches events within {@link #limits()} using {@link #sizeOf(Event)}, retries
 * {@link Outcome.Retryable} events with backoff, and dead-letters {@link Outcome.Rejected} ones. A
 * destination therefore needs no buffer, no retry loop and no timer of its own.
 */
public interface Destination extends AutoCloseable {

    /**
     * Prepares clients and connections. May check that the target exists; if the check fails for
     * a configuration reason, report it through {@link #health()} rather than throwing, so that
     * events are kept until the operator fixes it.
     */
    default void open() {}

    /**
     * Sends one batch as (ideally) one request.
     *
     * <p>It must return promptly, without waiting for the service: start the request and return a
     * stage that completes when it answers. The engine calls it on its own thread, so a
     * {@code deliver} that blocks stalls every batch of this destination.
     *
     * <p>The returned stage completes with exactly one outcome per event, in batch order. It must
     * not complete exceptionally for a failure of the remote service: map such failures to
     * {@link Outcome.Retryable} or {@link Outcome.Rejected}. An event that can never be sent (too
     * large, say) is {@link Outcome.Rejected} before the request so it cannot poison the batch.
     * When the service refuses an event for good (a 4xx about the event itself), that event is
     * {@link Outcome.Rejected}. When it refuses because of the configuration (an unknown target, bad
     * credentials), the events are {@link Outcome.Retryable}, so they are kept, and {@link #health()}
     * says what to fix until a delivery succeeds again.
     */
    CompletionStage<List<Outcome>> deliver(List<Event> batch);

    /** The largest batch this destination accepts; the engine never exceeds it. */
    default BatchLimits limits() {
        return BatchLimits.DEFAULT;
    }

    /** The bytes an event takes in a request, as counted against {@link BatchLimits#maxBytes()}. */
    default long sizeOf(Event event) {
        return event.jsonLength();
    }

    /** Current health; {@link Health.Status#UNHEALTHY} with a message an operator can act on. */
    default Health health() {
        return Health.HEALTHY;
    }

    /** Completes work the destination itself still holds. The engine calls it before close. */
    default void flush() {}

    /**
     * Releases clients and threads. Called once. Deliver calls may still be in flight when the
     * engine's close timed out waiting for them: their events are handed back to be kept and sent
     * again later, so they may arrive twice, and their outcomes are ignored.
     */
    @Override
    void close();
}
