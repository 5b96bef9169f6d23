package io.sluice.spi.read;

/** Where an {@link ArrivalReader} starts. */
public enum ReadFrom {
    /** Everything the target still holds. */
    EARLIEST,
    /** Only what arrives after the reader is opened. */
    LATEST
}
