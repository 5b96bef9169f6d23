package io.sluice.runner.plugins;

import io.sluice.spi.BatchLimits;
import io.sluice.spi.Destination;
import io.sluice.spi.Health;
import io.sluice.spi.Outcome;
import io.sluice.spi.event.Event;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * A destination whose health messages and outcome reasons pass through a {@link Redactor}: they
 * reach /health, the dashboard, logs and the dead-letter file. Only failures are touched, so the
 * delivery path pays nothing for a batch that went through.
 */
final class RedactingDestination implements Destination {

    private final Destination delegate;
    private final Redactor redactor;

    RedactingDestination(Destination delegate, Redactor redactor) {
        this.delegate = delegate;
        this.redactor = redactor;
    }

    @Override
    public void open() {
        delegate.open();
    }

    @Override
    public CompletionStage<List<Outcome>> deliver(List<Event> batch) {
        return delegate.deliver(batch).thenApply(this::redact);
    }

    private List<Outcome> redact(List<Outcome> outcomes) {
        if (outcomes == null || outcomes.stream().allMatch(o -> o instanceof Outcome.Delivered)) {
            return outcomes;
        }
        List<Outcome> redacted = new ArrayList<>(outcomes.size());
        for (Outcome outcome : outcomes) {
            if (outcome instanceof Outcome.Retryable r) {
                redacted.add(new Outcome.Retryable(redactor.redact(r.reason()), r.retryAfter()));
            } else if (outcome instanceof Outcome.Rejected r) {
                redacted.add(new Outcome.Rejected(redactor.redact(r.reason())));
            } else {
                redacted.add(outcome);
            }
        }
        return redacted;
    }

    @Override
    public BatchLimits limits() {
        return delegate.limits();
    }

    @Override
    public long sizeOf(Event event) {
        return delegate.sizeOf(event);
    }

    @Override
    public Health health() {
        Health health = delegate.health();
        return health.isHealthy() ? health : new Health(health.status(), redactor.redact(health.message()));
    }

    @Override
    public void flush() {
        delegate.flush();
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public String toString() {
        return redactor.redact(delegate.toString());
    }
}
