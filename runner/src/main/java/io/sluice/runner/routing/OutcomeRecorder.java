package io.sluice.runner.routing;

import io.sluice.core.delivery.DeliveryListener;
import io.sluice.core.spool.Spool;
import io.sluice.runner.deadletter.DeadLetterFile;
import io.sluice.runner.metrics.SluiceMetrics;
import io.sluice.spi.Outcome;
import io.sluice.spi.event.Event;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns one destination's outcomes into metrics, its tally, log lines and dead-letter lines, and
 * releases the event from the spool once it is delivered or written to the dead-letter file.
 */
final class OutcomeRecorder implements DeliveryListener {

    private static final Logger LOG = LoggerFactory.getLogger(OutcomeRecorder.class);

    private final String source;
    private final String destination;
    private final SluiceMetrics metrics;
    private final DeadLetterFile deadLetters;
    private final DeliveryTally tally;
    private final Optional<Spool> spool;
    private final EventObserver observer;

    OutcomeRecorder(String source, String destination, SluiceMetrics metrics, DeadLetterFile deadLetters,
                    DeliveryTally tally, Optional<Spool> spool, EventObserver observer) {
        this.source = source;
        this.destination = destination;
        this.metrics = metrics;
        this.deadLetters = deadLetters;
        this.tally = tally;
        this.spool = spool;
        this.observer = observer;
    }

    @Override
    public void delivered(Event event, Outcome.Delivered outcome, Duration latency) {
        metrics.delivered(destination, latency);
        tally.recordDelivered();
        spool.ifPresent(s -> s.done(destination, event));
        EventObserver.quietly(() -> observer.delivered(source, destination, event, outcome.receipt()));
    }

    @Override
    public void retrying(Event event, String reason, int attempt) {
        metrics.retried(destination);
        tally.recordRetried();
        if (attempt == 1 || attempt % 10 == 0) {
            LOG.info("{}: retrying {} (attempt {}): {}", destination, event, attempt, reason);
        }
        EventObserver.quietly(() -> observer.retrying(source, destination, event, reason, attempt));
    }

    @Override
    public void failed(Event event, String reason) {
        metrics.failed(destination);
        tally.recordFailure(reason);
        LOG.warn("{}: {} will not be delivered: {}; written to {}", destination, event, reason, deadLetters.path());
        deadLetters.undeliverable(source, destination, event, reason);
        spool.ifPresent(s -> s.done(destination, event));
        EventObserver.quietly(() -> observer.failed(source, destination, event, reason));
    }
}
