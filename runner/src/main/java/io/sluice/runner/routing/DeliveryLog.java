package io.sluice.runner.routing;

import io.sluice.core.spool.Backlog;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an operator reads about one destination under failure: one line when its state changes
 * (failing, healthy again, backlog full, backlog has room again) and at most one summary line per
 * interval while it retries, fails or catches up, with counts and the latest reason. Never a line
 * per event: the debugger keeps the per-event detail.
 *
 * <p>A destination is failing once a whole batch comes back without one event delivered (it is
 * unreachable, or refuses everything), and healthy again once a batch is delivered whole. Partial
 * throttling changes no state; it shows in the summary's retry count.
 */
public final class DeliveryLog {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryLog.class);

    private final String destination;
    private final Supplier<Backlog> backlog;
    private final Clock clock;
    // Counts since the last summary.
    private long delivered;
    private long retried;
    private long failed;
    private long deadLettered;
    private String latestReason;
    private boolean failing;
    private Instant failingSince;
    private String failingReason;
    private boolean backlogFull;

    DeliveryLog(String destination, Supplier<Backlog> backlog, Clock clock) {
        this.destination = destination;
        this.backlog = backlog;
        this.clock = clock;
    }

    /** One batch's outcomes (engine thread). */
    synchronized void batch(int delivered, int retried, int failed, String reason) {
        this.delivered += delivered;
        this.retried += retried;
        this.failed += failed;
        if (reason != null) {
            latestReason = reason;
        }
        if (failing && reason != null) {
            failingReason = reason;
        }
        if (!failing && delivered == 0 && retried + failed > 0) {
            failing = true;
            failingSince = clock.instant();
            failingReason = reason;
            LOG.warn("{}: failing: {}", destination, reason);
        } else if (failing && delivered > 0 && retried + failed == 0) {
            failing = false;
            LOG.info("{}: healthy again after {}", destination, round(Duration.between(failingSince, clock.instant())));
        }
    }

    /** While it is failing: for how long, and the latest reason (for {@code /health}, which the destination's own check may not see). */
    synchronized Optional<String> failing() {
        return failing ? Optional.of("deliveries failing for " + round(Duration.between(failingSince, clock.instant()))
                + ": " + failingReason) : Optional.empty();
    }

    /** Events of this destination that went to the dead-letter file without a delivery attempt. */
    synchronized void deadLettered(long events, String reason) {
        deadLettered += events;
        latestReason = reason;
    }

    /** Admission found the backlog at its bound, or with room again; logs only the change. */
    synchronized void backlogFull(boolean full, long maxBytes, String whenFull) {
        if (full == backlogFull) {
            return;
        }
        backlogFull = full;
        if (full) {
            LOG.warn("{}: backlog reached its bound of {} bytes; new events: {}", destination, maxBytes, whenFull);
        } else {
            LOG.info("{}: backlog has room again", destination);
        }
    }

    /**
     * The interval's summary, when anything but plain deliveries happened, or a backlog is waiting:
     * its oldest event is older than the interval. A busy, healthy destination writes nothing.
     */
    synchronized void summarise(Duration interval) {
        Backlog now = backlog.get();
        boolean waiting = now.oldest().map(o -> Duration.between(o, clock.instant()).compareTo(interval) > 0).orElse(false);
        if (retried + failed + deadLettered > 0 || waiting) {
            StringBuilder line = new StringBuilder()
                    .append(destination).append(": last ").append(interval.toSeconds()).append(" s: ")
                    .append(delivered).append(" delivered, ").append(retried).append(" to retry, ")
                    .append(failed + deadLettered).append(" dead-lettered; backlog ").append(now.events())
                    .append(" events, ").append(now.bytes()).append(" bytes");
            now.oldest().ifPresent(o -> line.append(", oldest ")
                    .append(round(Duration.between(o, clock.instant()))));
            if (latestReason != null && retried + failed + deadLettered > 0) {
                line.append("; latest reason: ").append(latestReason);
            }
            if (failing || failed + deadLettered > 0) {
                LOG.warn(line.toString());
            } else {
                LOG.info(line.toString());
            }
        }
        delivered = 0;
        retried = 0;
        failed = 0;
        deadLettered = 0;
        latestReason = null;
    }

    private static String round(Duration d) {
        return Math.max(0, d.toSeconds()) + " s";
    }
}
