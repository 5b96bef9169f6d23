package io.sluice.core.spool;

import java.time.Duration;
import java.util.Objects;

/**
 * How much the spool holds and how hard it pushes to the disk.
 *
 * @param maxBytes      event bytes the spool holds before {@link Spool#hasRoomFor} says no
 * @param fsync         {@link Fsync#ALWAYS}: every append is fsynced before it completes (survives a
 *                      power cut); {@link Fsync#INTERVAL}: appends reach the OS before they complete
 *                      (survive a crash or SIGKILL of Sluice) and are fsynced every {@code fsyncInterval}
 * @param fsyncInterval how often {@link Fsync#INTERVAL} fsyncs
 */
public record SpoolPolicy(long maxBytes, Fsync fsync, Duration fsyncInterval) {

    public enum Fsync { ALWAYS, INTERVAL }

    public static final long DEFAULT_MAX_BYTES = 1024L * 1024 * 1024;
    public static final Duration DEFAULT_FSYNC_INTERVAL = Duration.ofMillis(200);

    public SpoolPolicy {
        Objects.requireNonNull(fsync, "fsync");
        Objects.requireNonNull(fsyncInterval, "fsyncInterval");
        if (maxBytes < 1 || fsyncInterval.isNegative() || fsyncInterval.isZero()) {
            throw new IllegalArgumentException("maxBytes and fsyncInterval must be positive");
        }
    }

    /** 1 GiB, fsync on every append. */
    public static SpoolPolicy defaults() {
        return new SpoolPolicy(DEFAULT_MAX_BYTES, Fsync.ALWAYS, DEFAULT_FSYNC_INTERVAL);
    }

    public SpoolPolicy withMaxBytes(long bytes) {
        return new SpoolPolicy(bytes, fsync, fsyncInterval);
    }

    public SpoolPolicy withFsync(Fsync value, Duration interval) {
        return new SpoolPolicy(maxBytes, value, interval);
    }
}
