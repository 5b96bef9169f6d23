package io.sluice.runner.routing;

import io.sluice.core.delivery.DeliveryListener;
import io.sluice.runner.deadletter.DeadLetterFile;
import io.sluice.runner.metrics.SluiceMetrics;
import io.sluice.spi.Outcome;
import io.sluice.spi.event.Event;
import java.time.Duration;
import java.time.Instant;

/**
 * Turns one destination's outcomes into metrics, its tally, its {@link DeliveryLog}, dead-letter
 * lines and the observer's (debugger's) per-event detail. The engine releases an event from the
 * spool after this has heard its final outcome; a dead-letter line that cannot be written throws,
 * so the event stays.
 */
final class OutcomeRecorder implements DeliveryListener {

    private final String source;
    private final String destination;
    private final SluiceMetrics metrics;
    private final DeadLetterFile deadLetters;
    private final DeliveryTally tally;
    private final DeliveryLog log;
    private final EventObserver observer;

    OutcomeRecorder(String source, String destination, SluiceMetrics metrics, DeadLetterFile deadLetters,
                    DeliveryTally tally, DeliveryLog log, EventObserver observer) {
        this.source = source;
        this.destination = destination;
        this.metrics = metrics;
        this.deadLetters = deadLetters;
        this.tally = tally;
        this.log = log;
        this.observer = observer;
    }

    /** Latency runs from the event's acceptance, so an event that waited on disk counts its wait. */
    @Override
    public void delivered(Event event, Outcome.Delivered outcome, Duration sinceHanded) {
        Duration latency = Duration.between(event.receivedAt(), Instant.now());
        metrics.delivered(destination, latency.isNegative() ? sinceHanded : latency);
        tally.recordDelivered();
        EventObserver.quietly(() -> observer.delivered(source, destination, event, outcome.receipt()));
    }

    @Override
    public void retrying(Event event, String reason, int attempt) {
        metrics.retried(destination);
        tally.recordRetried();
        EventObserver.quietly(() -> observer.retrying(source, destination, event, reason, attempt));
    }

    @Override
    public void failed(Event event, String reason) {
        deadLetters.undeliverable(source, destination, event, reason); // throws when it cannot: the event is kept
        metrics.failed(destination);
        tally.recordFailure(reason);
        EventObserver.quietly(() -> observer.failed(source, destination, event, reason));
    }

    @Override
    public void batchDone(int delivered, int retried, int failed, String latestReason) {
        log.batch(delivered, retried, failed, latestReason);
    }

    /** An event dead-lettered without a delivery attempt (a full backlog, a removed destination). */
    void deadLettered(Event event, String reason) {
        failed(event, reason);
        log.deadLettered(1, reason);
    }
}
