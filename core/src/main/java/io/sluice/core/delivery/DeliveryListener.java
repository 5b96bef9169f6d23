package io.sluice.core.delivery;

import io.sluice.spi.Outcome;
import io.sluice.spi.event.Event;
import java.time.Duration;

/**
 * Hears every outcome an engine sees: for metrics, health, the dead-letter file and the debugger.
 * Called on the engine's thread; keep it quick, and throw only from {@link #failed}.
 */
public interface DeliveryListener {

    /** The destination accepted the event; {@code latency} runs from the offer. */
    default void delivered(Event event, Outcome.Delivered outcome, Duration latency) {}

    /** A retryable failure; the event will be sent again. {@code attempt} counts from 1. */
    default void retrying(Event event, String reason, int attempt) {}

    /**
     * The event will never be delivered: rejected, or out of attempts. It belongs in the dead-letter
     * file. Throw when it could not be written there: the engine then keeps the event and tries again.
     */
    default void failed(Event event, String reason) {}

    /**
     * A batch came back: how many of its events were delivered, will be retried, or failed for
     * good, and the latest reason given for a failure (null when none failed).
     */
    default void batchDone(int delivered, int retried, int failed, String latestReason) {}
}
