package io.sluice.conformance;

import io.sluice.core.delivery.DeliveryEngine;
import io.sluice.core.delivery.DeliveryListener;
import io.sluice.core.delivery.DeliveryPolicy;
import io.sluice.spi.BatchLimits;
import io.sluice.spi.Destination;
import io.sluice.spi.Health;
import io.sluice.spi.Outcome;
import io.sluice.spi.event.Event;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * One destination driven by a {@link DeliveryEngine}, as the server drives it, with every batch
 * and every outcome recorded so the checks can say what went wrong.
 */
final class DeliveryRun implements AutoCloseable {

    /** One request the engine made: its size and what the destination answered. */
    record Request(int events, long bytes, List<Outcome> outcomes, Throwable error) {}

    record Failure(Event event, String reason) {}

    record Retry(Event event, String reason, int attempt) {}

    private final Observed observed;
    private final DeliveryEngine engine;
    private final Map<String, List<Outcome.Delivered>> delivered = new ConcurrentHashMap<>();
    private final List<Retry> retries = new CopyOnWriteArrayList<>();
    private final List<Failure> failures = new CopyOnWriteArrayList<>();
    private final Duration timeout;
    private boolean closed;

    DeliveryRun(String name, Destination destination, DeliveryPolicy policy, Duration timeout) {
        this.observed = new Observed(destination);
        this.timeout = timeout;
        this.engine = new DeliveryEngine(name, observed, policy, new DeliveryListener() {
            @Override
            public void delivered(Event event, Outcome.Delivered outcome, Duration latency) {
                delivered.computeIfAbsent(event.messageId(), id -> new CopyOnWriteArrayList<>()).add(outcome);
            }

            @Override
            public void retrying(Event event, String reason, int attempt) {
                retries.add(new Retry(event, reason, attempt));
            }

            @Override
            public void failed(Event event, String reason) {
                failures.add(new Failure(event, reason));
            }
        });
    }

    void offer(Event event) {
        engine.offer(event);
    }

    void offerAll(Collection<Event> events) {
        events.forEach(engine::offer);
    }

    /** Sends what is buffered and waits for every outcome; fails the check if that takes too long. */
    void flush() {
        try {
            engine.flush().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("the engine still held " + engine.stats().events() + " event(s) after "
                    + timeout + ": the destination did not answer every request" + contractViolations());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } catch (ExecutionException e) {
            throw new AssertionError("flush failed", e.getCause());
        }
    }

    /** Closes the engine (which flushes and closes the destination) and returns what it could not deliver. */
    List<Event> close(Duration within) {
        closed = true;
        return engine.close(within);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            engine.close(timeout);
        }
    }

    Destination destination() {
        return observed.delegate;
    }

    BatchLimits limits() {
        return observed.limits();
    }

    int deliveries(String messageId) {
        List<Outcome.Delivered> list = delivered.get(messageId);
        return list == null ? 0 : list.size();
    }

    List<Retry> retries() {
        return List.copyOf(retries);
    }

    List<Failure> failures() {
        return List.copyOf(failures);
    }

    List<Request> requests() {
        return List.copyOf(observed.requests);
    }

    /** Requests that broke the SPI contract: the wrong number of outcomes, or an exceptional stage. */
    String contractViolations() {
        Map<String, Long> problems = new java.util.LinkedHashMap<>();
        for (Request r : observed.requests) {
            String problem = null;
            if (r.error() != null) {
                problem = "deliver() of " + r.events() + " event(s) completed exceptionally: " + r.error();
            } else if (r.outcomes() == null || r.outcomes().size() != r.events()) {
                problem = "deliver() of " + r.events() + " event(s) returned "
                        + (r.outcomes() == null ? "null" : r.outcomes().size() + " outcome(s)");
            }
            if (problem != null) {
                problems.merge(problem, 1L, Long::sum);
            }
        }
        if (problems.isEmpty()) {
            return "";
        }
        return "; contract violations: " + problems.entrySet().stream()
                .map(e -> e.getKey() + (e.getValue() > 1 ? " (" + e.getValue() + " times)" : ""))
                .collect(Collectors.joining("; "));
    }

    /** Asserts each of {@code events} was reported delivered exactly once, and none of them failed. */
    void assertDeliveredOnce(Collection<Event> events) {
        List<String> wrong = new ArrayList<>();
        for (Event e : events) {
            int n = deliveries(e.messageId());
            if (n != 1) {
                wrong.add(e + " was reported delivered " + n + " time(s)");
            }
        }
        Set<String> ids = events.stream().map(Event::messageId).collect(Collectors.toSet());
        Map<String, Long> reasons = failures.stream().filter(f -> ids.contains(f.event().messageId()))
                .collect(Collectors.groupingBy(Failure::reason, java.util.LinkedHashMap::new, Collectors.counting()));
        if (wrong.isEmpty() && reasons.isEmpty()) {
            return;
        }
        StringBuilder message = new StringBuilder();
        if (!wrong.isEmpty()) {
            message.append(wrong.size()).append(" of ").append(events.size())
                    .append(" event(s) were not reported delivered exactly once:\n");
            wrong.stream().limit(5).forEach(w -> message.append("  ").append(w).append('\n'));
            if (wrong.size() > 5) {
                message.append("  ... and ").append(wrong.size() - 5).append(" more\n");
            }
        }
        reasons.forEach((reason, count) -> message.append(count).append(" event(s) failed (dead-lettered): ")
                .append(reason).append('\n'));
        throw new AssertionError(message.toString().strip() + contractViolations());
    }

    /** Passes every call through, and writes down each batch and its answer. */
    private static final class Observed implements Destination {
        final Destination delegate;
        final List<Request> requests = new CopyOnWriteArrayList<>();

        Observed(Destination delegate) {
            this.delegate = delegate;
        }

        @Override
        public void open() {
            delegate.open();
        }

        @Override
        public CompletionStage<List<Outcome>> deliver(List<Event> batch) {
            long bytes = batch.stream().mapToLong(delegate::sizeOf).sum();
            CompletionStage<List<Outcome>> stage;
            try {
                stage = delegate.deliver(batch);
            } catch (RuntimeException e) {
                requests.add(new Request(batch.size(), bytes, null, e));
                throw e;
            }
            return stage.whenComplete((outcomes, error) ->
                    requests.add(new Request(batch.size(), bytes, outcomes, error)));
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
            return delegate.health();
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
            return delegate.toString();
        }
    }
}
