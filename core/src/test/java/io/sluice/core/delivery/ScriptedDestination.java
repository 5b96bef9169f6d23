package io.sluice.core.delivery;

import io.sluice.spi.BatchLimits;
import io.sluice.spi.Destination;
import io.sluice.spi.Outcome;
import io.sluice.spi.event.Event;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/** A destination whose answer to each batch a test decides; it records every request. */
class ScriptedDestination implements Destination {

    final List<List<String>> requests = new CopyOnWriteArrayList<>();
    final List<String> delivered = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxInFlight = new AtomicInteger();
    private final BatchLimits limits;
    private final Function<List<Event>, CompletionStage<List<Outcome>>> script;
    volatile boolean closed;

    ScriptedDestination(BatchLimits limits, Function<List<Event>, CompletionStage<List<Outcome>>> script) {
        this.limits = limits;
        this.script = script;
    }

    /** Delivers everything at once. */
    static ScriptedDestination accepting(BatchLimits limits) {
        return new ScriptedDestination(limits, batch -> CompletableFuture.completedFuture(
                Collections.nCopies(batch.size(), Outcome.delivered())));
    }

    @Override
    public CompletionStage<List<Outcome>> deliver(List<Event> batch) {
        requests.add(batch.stream().map(Event::messageId).toList());
        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        return script.apply(batch).whenComplete((outcomes, error) -> {
            inFlight.decrementAndGet();
            if (outcomes != null) {
                for (int i = 0; i < outcomes.size() && i < batch.size(); i++) {
                    if (outcomes.get(i) instanceof Outcome.Delivered) {
                        delivered.add(batch.get(i).messageId());
                    }
                }
            }
        });
    }

    @Override
    public BatchLimits limits() {
        return limits;
    }

    @Override
    public void close() {
        closed = true;
    }
}
