package io.sluice.spi;

/**
 * The largest batch a destination accepts in one request.
 *
 * @param maxEvents the most events in one batch, at least 1
 * @param maxBytes  the most bytes in one batch, counted with {@link Destination#sizeOf}; a single
 *                  event larger than this is still handed over alone, for the destination to reject
 */
public record BatchLimits(int maxEvents, long maxBytes) {

    /** 100 events or 1 MiB: modest limits for destinations that do not say. */
    public static final BatchLimits DEFAULT = new BatchLimits(100, 1024 * 1024);

    public BatchLimits {
        if (maxEvents < 1) {
            throw new IllegalArgumentException("maxEvents must be at least 1, was " + maxEvents);
        }
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be at least 1, was " + maxBytes);
        }
    }
}
