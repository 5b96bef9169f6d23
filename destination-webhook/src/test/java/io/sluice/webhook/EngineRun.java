package io.sluice.webhook;

import io.sluice.core.delivery.DeliveryEngine;
import io.sluice.core.delivery.DeliveryListener;
import io.sluice.core.delivery.DeliveryPolicy;
import io.sluice.spi.BatchLimits;
import io.sluice.spi.Destination;
import io.sluice.spi.Health;
import io.sluice.spi.Outcome;
import io.sluice.spi.event.Event;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** Delivers events through Sluice's own {@link DeliveryEngine}, as the server does, with quick retries. */
final class EngineRun {

    private static final DeliveryPolicy QUICK = DeliveryPolicy.defaults()
            .withLinger(Duration.ofMillis(10))
            .withBackoff(Duration.ofMillis(5), Duration.ofMillis(50));

    private EngineRun() {}

    /**
     * Every event's final outcome, by messageId ({@link Outcome.Rejected} once it is out of
     * attempts), and the most attempts any event took.
     */
    record Result(Map<String, Outcome> outcomes, int attempts) {
        long count(Class<? extends Outcome> kind) {
            return outcomes.values().stream().filter(kind::isInstance).count();
        }
    }

    static Result deliverAll(Destination destination, List<Event> events, int maxAttempts) throws Exception {
        Map<String, Outcome> outcomes = new ConcurrentHashMap<>();
        Map<String, Integer> attempts = new ConcurrentHashMap<>();
        DeliveryListener listener = new DeliveryListener() {
            @Override
            public void delivered(Event event, Outcome.Delivered outcome, Duration latency) {
                outcomes.put(event.messageId(), outcome);
                attempts.merge(event.messageId(), 1, Integer::sum);
            }

            @Override
            public void retrying(Event event, String reason, int attempt) {
                attempts.merge(event.messageId(), 1, Integer::sum);
            }

            @Override
            public void failed(Event event, String reason) {
                outcomes.put(event.messageId(), Outcome.rejected(reason));
            }
        };
        DeliveryEngine engine = new DeliveryEngine("webhook-test", new Unclosed(destination),
                QUICK.withMaxAttempts(maxAttempts), listener);
        events.forEach(engine::offer);
        engine.flush().get(2, TimeUnit.MINUTES);
        engine.close(Duration.ofSeconds(5));
        return new Result(Map.copyOf(outcomes), attempts.values().stream().max(Integer::compare).orElse(0));
    }

    /** The test owns the destination and closes it itself; the engine must not. */
    private record Unclosed(Destination inner) implements Destination {
        @Override
        public CompletionStage<List<Outcome>> deliver(List<Event> batch) {
            return inner.deliver(batch);
        }

        @Override
        public BatchLimits limits() {
            return inner.limits();
        }

        @Override
        public long sizeOf(Event event) {
            return inner.sizeOf(event);
        }

        @Override
        public Health health() {
            return inner.health();
        }

        @Override
        public void close() {}
    }
}
