package io.sluice.conformance;

import java.util.List;
import java.util.Map;

/**
 * Where a destination under test sends its events: a local stand-in for the real service (an
 * emulator, an embedded server, a temporary directory), and a way to read back what arrived.
 *
 * <p>The suite asks for one target per check ({@link DestinationConformanceTest#createTarget()})
 * and closes it after the check. A target may be fresh or shared between checks: the suite only
 * looks at messages it sent itself, picked out by {@code messageId}.
 */
@SuppressWarnings("try") // close() may throw anything a target needs to; InterruptedException included
public interface TestTarget extends AutoCloseable {

    /**
     * Raw settings (as from a configuration file) that make the destination write to this target.
     * The suite replaces the value of every {@code SECRET} setting with a canary to look for leaks,
     * so the target must accept any secret value, as local emulators do.
     */
    Map<String, Object> settings();

    /**
     * Every message the target holds right now, in arrival order, each one the normalised JSON of
     * one event as UTF-8 bytes: decode your wire encoding (Base64, compression, envelopes), and
     * nothing else. Called repeatedly while the suite waits; it should not block for long.
     */
    List<byte[]> received() throws Exception;

    /**
     * Makes the next {@code requests} requests the destination sends fail as a whole, in the way
     * the real service fails retryably (throttling, a 5xx, a dropped connection). Tied to
     * {@link Capability#RETRYABLE_ERRORS}; a target that cannot do it keeps this default.
     */
    default void injectRetryableFailures(int requests) {
        throw new UnsupportedOperationException("this test target cannot inject retryable failures");
    }

    /**
     * Makes the target fail the records of these events (by {@code messageId}) in the next request
     * that holds them, the way the real service reports a partial failure (Kinesis: a per-record
     * ErrorCode), retryably; the other records of that request are stored. Tied to
     * {@link Capability#PARTIAL_FAILURES}.
     */
    default void injectRecordFailures(java.util.Set<String> messageIds) {
        throw new UnsupportedOperationException("this test target cannot fail chosen records of a request");
    }

    /**
     * Makes the next {@code requests} requests be refused for good, the way the real service refuses
     * events it will never take (a 400 about the payload). Tied to {@link Capability#PERMANENT_ERRORS}.
     */
    default void injectPermanentFailures(int requests) {
        throw new UnsupportedOperationException("this test target cannot refuse requests for good");
    }

    /**
     * Makes the next {@code requests} requests be refused because of the configuration, the way the
     * real service answers for an unknown target or bad credentials. Tied to
     * {@link Capability#CONFIGURATION_ERRORS}.
     */
    default void injectConfigurationFailures(int requests) {
        throw new UnsupportedOperationException("this test target cannot refuse the configuration");
    }

    /**
     * Makes the next {@code requests} requests be answered only after {@code delay}, and then
     * normally: to check that {@code deliver()} returns without waiting for the answer. Every target
     * that can inject failures should be able to do this.
     */
    default void delayResponses(int requests, java.time.Duration delay) {
        throw new UnsupportedOperationException("this test target cannot delay its answers");
    }

    /** Removes the target (deletes the stream, stops the server). */
    @Override
    default void close() throws Exception {}
}
