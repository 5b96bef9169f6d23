package io.sluice.core.spec;

/** The size limits of Segment's HTTP Tracking API. */
public final class SpecLimits {

    /** One call: 32 KB, as the Segment libraries count it (32 * 1024 bytes). */
    public static final int MAX_EVENT_BYTES = 32 * 1024;

    /** One batch request body: 500 KB (500 * 1024 bytes). */
    public static final int MAX_BATCH_BYTES = 500 * 1024;

    /** {@code messageId}: at most 100 characters. */
    public static final int MAX_MESSAGE_ID_LENGTH = 100;

    /**
     * Deepest JSON nesting accepted. Jackson's own default is far deeper; real analytics payloads
     * stay well within this, and a shallow bound keeps hostile input cheap to refuse.
     */
    public static final int MAX_NESTING_DEPTH = 200;

    private SpecLimits() {}
}
