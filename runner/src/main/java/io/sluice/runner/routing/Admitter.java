package io.sluice.runner.routing;

import io.sluice.core.delivery.DeliveryPolicy;
import io.sluice.core.intake.AcceptedEvent;
import io.sluice.core.spool.Spool;
import io.sluice.core.spool.SpoolFullException;
import io.sluice.core.spool.SpoolReader;
import io.sluice.runner.metrics.SluiceMetrics;
import io.sluice.spi.event.Event;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The step from accepted events to destinations: routes each event by its {@code integrations}
 * object, and takes a request all or nothing.
 *
 * <p>With a spool, a request is taken while the spool has room and no destination it routes to
 * has a full backlog that blocks: its events are written once, for all their destinations, and
 * the 200 waits for the commit. A destination's memory never decides: one that is down keeps its
 * backlog on disk and holds up nobody. Without a spool, the engines' memory buffers are the only
 * room, and a full one answers 429.
 */
final class Admitter {

    private static final Logger LOG = LoggerFactory.getLogger(Admitter.class);

    /** What a client waits before sending again after a 429 or 507. */
    static final Duration RETRY_AFTER = Duration.ofSeconds(1);
    /** The longest a request waits for the spool's commit before it is refused. */
    private static final Duration SPOOL_WRITE_TIMEOUT = Duration.ofSeconds(30);
    /** The reason written to the dead-letter file for events a full backlog turned away. */
    static final String BACKLOG_FULL_REASON = "backlog_full";

    private final Optional<Spool> spool;
    private final SluiceMetrics metrics;
    private final EventObserver observer;
    private final RouteGate gate;

    Admitter(Optional<Spool> spool, SluiceMetrics metrics, EventObserver observer, RouteGate gate) {
        this.spool = spool;
        this.metrics = metrics;
        this.observer = observer;
        this.gate = gate;
    }

    Admission admit(Source source, List<AcceptedEvent> events) {
        if (gate.closed()) {
            return new Admission.Closed();
        }
        Admission admission;
        if (spool.isPresent()) {
            // The append is queued holding the gate; its commit is awaited without it.
            Step step = gate.shared(() -> spool(source, events, spool.get()));
            admission = step.refused() != null ? step.refused()
                    : step.written() == null ? new Admission.Accepted(events.size())
                    : awaitCommit(step.written(), step.events()).orElse(new Admission.Accepted(events.size()));
        } else {
            admission = gate.shared(() -> memory(source, events));
        }
        if (admission instanceof Admission.Accepted) {
            metrics.accepted(source.name(), events.size());
        }
        return admission;
    }

    /** Each route's share of a request: its events and their bytes. */
    private static final class Share {
        final List<Event> events = new ArrayList<>();
        long bytes;

        void add(Event event) {
            events.add(event);
            bytes += event.jsonLength();
        }
    }

    /** Each event's routes, in request order, and each route's share. */
    private record Routing(List<List<Route>> perEvent, Map<Route, Share> shares) {}

    private static Routing route(Source source, List<AcceptedEvent> events) {
        List<Route> routes = source.enabledRoutes();
        List<List<Route>> perEvent = new ArrayList<>(events.size());
        Map<Route, Share> shares = new IdentityHashMap<>();
        for (AcceptedEvent accepted : events) {
            List<Route> to = new ArrayList<>(routes.size());
            for (Route route : routes) {
                if (accepted.integrations().enables(route.integrationName())) {
                    shares.computeIfAbsent(route, r -> new Share()).add(accepted.event());
                    to.add(route);
                }
            }
            perEvent.add(to);
        }
        return new Routing(perEvent, shares);
    }

    /** A refusal, or the append of the request's events (null when none was needed). */
    private record Step(Admission refused, CompletableFuture<Void> written, int events) {
        static Step refuse(Admission refusal) {
            return new Step(refusal, null, 0);
        }
    }

    /** Runs holding the gate shared, so a route removed meanwhile cannot miss events appended for it. */
    private Step spool(Source source, List<AcceptedEvent> events, Spool spool) {
        if (gate.closed()) {
            return Step.refuse(new Admission.Closed());
        }
        Routing routing = route(source, events);
        List<Route> overflowing = new ArrayList<>();
        for (Map.Entry<Route, Share> share : routing.shares().entrySet()) {
            Route route = share.getKey();
            DeliveryPolicy policy = route.definition().delivery();
            boolean full = route.backlog().bytes() + share.getValue().bytes > policy.maxBacklogBytes();
            route.log().backlogFull(full, policy.maxBacklogBytes(),
                    policy.whenFull() == DeliveryPolicy.WhenFull.BLOCK ? "refused (507)" : "dead-lettered");
            if (full) {
                if (policy.whenFull() == DeliveryPolicy.WhenFull.BLOCK) {
                    return Step.refuse(new Admission.BacklogFull(route.name(), RETRY_AFTER));
                }
                overflowing.add(route);
            }
        }
        List<Spool.Routed> routed = new ArrayList<>(events.size());
        long bytes = 0;
        for (int i = 0; i < events.size(); i++) {
            List<SpoolReader> readers = new ArrayList<>(routing.perEvent().get(i).size());
            for (Route route : routing.perEvent().get(i)) {
                if (!overflowing.contains(route)) {
                    readers.add(route.reader().orElseThrow());
                }
            }
            if (!readers.isEmpty()) {
                Event event = events.get(i).event();
                routed.add(new Spool.Routed(event, readers));
                bytes += event.jsonLength();
            }
        }
        if (!spool.hasRoomFor(bytes)) {
            return Step.refuse(new Admission.SpoolFull(RETRY_AFTER));
        }
        // Before the append: an overflow that cannot be recorded refuses the request, so nothing is lost.
        for (Route route : overflowing) {
            try {
                for (Event event : routing.shares().get(route).events) {
                    route.recorder().deadLettered(event, BACKLOG_FULL_REASON + ": the backlog of " + route.name()
                            + " reached its bound of " + route.definition().delivery().maxBacklogBytes() + " bytes");
                }
            } catch (UncheckedIOException e) {
                return Step.refuse(new Admission.SpoolFailed("the dead-letter file could not be written"));
            }
        }
        tellObserver(source, events, routing);
        if (routed.isEmpty()) {
            return new Step(null, null, 0);
        }
        return new Step(null, spool.append(routed), routed.size());
    }

    /** Before the events can reach an engine, so that the observer hears of an event before any outcome. */
    private void tellObserver(Source source, List<AcceptedEvent> events, Routing routing) {
        if (observer == EventObserver.NONE) {
            return;
        }
        for (int i = 0; i < events.size(); i++) {
            Event event = events.get(i).event();
            List<String> to = routing.perEvent().get(i).stream().map(Route::name).toList();
            EventObserver.quietly(() -> observer.accepted(source.name(), event, to));
        }
    }

    /** Waits for an append's commit; a refusal when it fails. */
    private static Optional<Admission> awaitCommit(CompletableFuture<Void> written, int events) {
        try {
            written.get(SPOOL_WRITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            written.cancel(false);
            return Optional.of(new Admission.SpoolFailed("interrupted while writing to the spool"));
        } catch (ExecutionException | TimeoutException e) {
            if (e instanceof TimeoutException) {
                written.cancel(false);
            }
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            if (cause instanceof SpoolFullException) {
                // The disk under the spool is full: like maxBytes, a 507 the client retries later.
                LOG.warn("the spool refused {} event(s): {}", events, cause.getMessage());
                return Optional.of(new Admission.SpoolFull(RETRY_AFTER));
            }
            LOG.error("the spool refused {} event(s): {}", events, cause.toString());
            return Optional.of(new Admission.SpoolFailed("the spool could not write the events: " + cause.getMessage()));
        }
    }

    /** Without a spool: each destination's share must fit its engine's memory buffer. */
    private Admission memory(Source source, List<AcceptedEvent> events) {
        if (gate.closed()) {
            return new Admission.Closed();
        }
        Routing routing = route(source, events);
        for (Map.Entry<Route, Share> share : routing.shares().entrySet()) {
            if (!share.getKey().engine().hasRoomFor(share.getValue().bytes)) {
                return new Admission.Full(share.getKey().name(), RETRY_AFTER);
            }
        }
        tellObserver(source, events, routing);
        try {
            routing.shares().forEach((route, share) -> share.events.forEach(route.engine()::offer));
        } catch (IllegalStateException e) {
            return new Admission.Closed(); // an engine closed between the check and the offer
        }
        return new Admission.Accepted(events.size());
    }
}
