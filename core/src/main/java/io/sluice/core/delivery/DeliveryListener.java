package io.sluice.core.delivery;

import io.sluice.spi.Outcome;
import io.sluice.spi.event.Event;
import java.time.Duration;

/**
 * Hears every outcome an engine sees: for metrics, health, the dead-letter file and the debugger.
 * Called on the engine's thread; keep it quick and do not throw.
 */
public interface DeliveryListener {

    /** The destination accepted the event; {@code latency} runs from the offer. */
    default void delivered(Event event, Outcome.Delivered outcome, Duration latency) {}

    /** A retryable failure; the event will be sent again. {@code attempt} counts from 1. */
    default void retrying(Event event, String reason, int attempt) {}

    /** The event will never be delivered: rejected, or out of attempts. It belongs in the dead-letter file. */
    default void failed(Event event, String reason) {}
}
