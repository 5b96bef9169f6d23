package io.sluice.runner.routing;

import io.sluice.core.intake.RejectedCall;
import io.sluice.spi.event.Event;
import java.util.List;
import java.util.Map;

/**
 * Hears what happens to every call and event, for live views (the dashboard's debugger and
 * throughput). It is told, never asked: it cannot change routing or delivery. Calls come from
 * request threads and engine threads; keep them quick and do not throw.
 */
public interface EventObserver {

    EventObserver NONE = new EventObserver() {};

    /** A call of {@code source} broke the Spec and was refused. */
    default void rejected(String source, RejectedCall call) {}

    /**
     * An event of {@code source} was accepted and handed to {@code destinations} (possibly none:
     * its {@code integrations} or switched-off destinations may leave it nowhere to go).
     */
    default void accepted(String source, Event event, List<String> destinations) {}

    /** {@code destination} delivered the event; {@code receipt} is what the service said (e.g. shard and sequence number). */
    default void delivered(String source, String destination, Event event, Map<String, String> receipt) {}

    /** A retryable failure; {@code destination} will send the event again. */
    default void retrying(String source, String destination, Event event, String reason, int attempt) {}

    /** {@code destination} will never deliver the event; it went to the dead-letter file. */
    default void failed(String source, String destination, Event event, String reason) {}

    /** Tells every observer in turn; one that throws does not keep the others from hearing. */
    static EventObserver all(List<EventObserver> observers) {
        List<EventObserver> list = List.copyOf(observers);
        return new EventObserver() {
            @Override
            public void rejected(String source, RejectedCall call) {
                list.forEach(o -> quietly(() -> o.rejected(source, call)));
            }

            @Override
            public void accepted(String source, Event event, List<String> destinations) {
                list.forEach(o -> quietly(() -> o.accepted(source, event, destinations)));
            }

            @Override
            public void delivered(String source, String destination, Event event, Map<String, String> receipt) {
                list.forEach(o -> quietly(() -> o.delivered(source, destination, event, receipt)));
            }

            @Override
            public void retrying(String source, String destination, Event event, String reason, int attempt) {
                list.forEach(o -> quietly(() -> o.retrying(source, destination, event, reason, attempt)));
            }

            @Override
            public void failed(String source, String destination, Event event, String reason) {
                list.forEach(o -> quietly(() -> o.failed(source, destination, event, reason)));
            }
        };
    }

    /** Runs an observer's call; an observer's bug must never fail a request or a delivery. */
    static void quietly(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(EventObserver.class).warn("an event observer failed: {}", e.toString());
        }
    }
}
