package io.sluice.spi.read;

import java.time.Duration;
import java.util.List;

/**
 * Reads back what arrived at a destination's target: the optional capability behind
 * {@code sluice tail} and the read-back checks of {@code sluice conformance}. A provider offers one
 * through {@link io.sluice.spi.DestinationProvider#reader}.
 */
public interface ArrivalReader extends AutoCloseable {

    /**
     * The arrivals since the previous call (the first call: since the start position), oldest
     * first as far as the target keeps an order. Waits at most about {@code wait} when there are
     * none yet, and returns an empty list then.
     *
     * @throws InterruptedException when the calling thread is interrupted while waiting
     */
    List<Arrival> poll(Duration wait) throws InterruptedException;

    /** Releases the reader's clients. */
    @Override
    void close();
}
