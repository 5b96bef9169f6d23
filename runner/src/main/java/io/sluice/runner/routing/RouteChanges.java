package io.sluice.runner.routing;

import io.sluice.core.delivery.DeliveryEngine;
import io.sluice.core.spool.Spool;
import io.sluice.runner.config.SluiceConfig;
import io.sluice.runner.deadletter.DeadLetterFile;
import io.sluice.runner.metrics.SluiceMetrics;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A source's destinations change at run time (the dashboard adds, rebuilds, switches off and
 * removes them): each change builds what it needs first, then swaps the source's route list in one
 * step through the {@link RouteGate}. A route keeps its name across a rebuild, so its place in the
 * spool, its metrics and its counts carry on.
 */
final class RouteChanges {

    private static final Logger LOG = LoggerFactory.getLogger(RouteChanges.class);

    /** The reason written to the dead-letter file for events a removed destination still had. */
    static final String REMOVED_REASON = "the destination was removed before delivery";

    private final List<Source> sources;
    private final RouteFactory factory;
    private final SluiceMetrics metrics;
    private final DeadLetterFile deadLetters;
    private final Optional<Spool> spool;
    private final RouteGate gate;

    RouteChanges(List<Source> sources, RouteFactory factory, SluiceMetrics metrics, DeadLetterFile deadLetters,
                 Optional<Spool> spool, RouteGate gate) {
        this.sources = sources;
        this.factory = factory;
        this.metrics = metrics;
        this.deadLetters = deadLetters;
        this.spool = spool;
        this.gate = gate;
    }

    synchronized Route add(String sourceName, SluiceConfig.Destination destination, boolean enabled) {
        ensureOpen();
        Source source = requireSource(sourceName);
        if (sources.stream().flatMap(s -> s.routes().stream()).anyMatch(r -> r.name().equals(destination.name()))) {
            throw new IllegalArgumentException("a destination named " + destination.name() + " already exists");
        }
        Route route = factory.open(source.name(), destination, new DeliveryTally(), enabled);
        metrics.initialise(source.name(), List.of(route.name()));
        swap(source, routes -> {
            List<Route> more = new ArrayList<>(routes);
            more.add(route);
            return more;
        });
        LOG.info("{}: added to source {} ({})", route.name(), source.name(), enabled ? "on" : "off");
        return route;
    }

    /**
     * The new destination is opened first and takes its reader over, so it gets every event from
     * then on; the old engine delivers what it holds for up to {@code drainTimeout}, and what it
     * still holds then moves to the new one. An event in flight at the timeout may be delivered twice.
     */
    synchronized int replace(String sourceName, SluiceConfig.Destination destination, boolean enabled,
                             Duration drainTimeout) {
        ensureOpen();
        Source source = requireSource(sourceName);
        Route old = requireRoute(source, destination.name());
        if (!old.type().equals(destination.type())) {
            throw new IllegalArgumentException(destination.name() + " is a " + old.type()
                    + " destination; its type cannot change (remove it and add a new one)");
        }
        Route fresh = factory.open(source.name(), destination, old.tally(), enabled);
        swap(source, routes -> routes.stream().map(r -> r == old ? fresh : r).toList());
        List<DeliveryEngine.HeldEvent> left = closeEngine(old, drainTimeout);
        left.forEach(held -> fresh.engine().offer(held.event(), held.position()));
        LOG.info("{}: rebuilt with new settings; {} event(s) the old destination still held moved to the new one",
                old.name(), left.size());
        return left.size();
    }

    synchronized void setEnabled(String sourceName, String name, boolean enabled) {
        ensureOpen();
        Source source = requireSource(sourceName);
        Route old = requireRoute(source, name);
        if (old.enabled() != enabled) {
            Route changed = old.withEnabled(enabled);
            swap(source, routes -> routes.stream().map(r -> r == old ? changed : r).toList());
            LOG.info("{}: switched {}", name, enabled ? "on" : "off");
        }
    }

    /**
     * No new event goes to the destination; it delivers what it holds for up to {@code drainTimeout};
     * what it still holds then, and its backlog on disk, go to the dead-letter file. A dead-letter
     * write that fails leaves the rest in the spool, dead-lettered at the next start.
     */
    synchronized int remove(String sourceName, String name, Duration drainTimeout) {
        ensureOpen();
        Source source = requireSource(sourceName);
        Route old = requireRoute(source, name);
        swap(source, routes -> routes.stream().filter(r -> r != old).toList());
        List<DeliveryEngine.HeldEvent> left = closeEngine(old, drainTimeout);
        long[] count = {0};
        try {
            for (DeliveryEngine.HeldEvent held : left) {
                old.recorder().deadLettered(held.event(), REMOVED_REASON);
                old.reader().ifPresent(r -> r.finished(held.position(), held.event()));
                count[0]++;
            }
            if (old.reader().isPresent()) {
                old.reader().get().drain(event -> {
                    old.recorder().deadLettered(event, REMOVED_REASON);
                    count[0]++;
                });
                spool.orElseThrow().remove(old.reader().get());
            }
        } catch (UncheckedIOException e) {
            LOG.error("{}: removed, but its undelivered events could not all be written to {}; the rest stay in the"
                    + " spool and are dead-lettered at the next start", name, deadLetters.path());
        }
        LOG.info("{}: removed from source {}{}", name, source.name(),
                count[0] == 0 ? "" : "; " + count[0] + " undelivered event(s) written to " + deadLetters.path());
        return (int) count[0];
    }

    private void ensureOpen() {
        if (gate.closed()) {
            throw new IllegalStateException("Sluice is shutting down; destinations can no longer change");
        }
    }

    private Source requireSource(String name) {
        return sources.stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no source named " + name));
    }

    private static Route requireRoute(Source source, String name) {
        return source.route(name).orElseThrow(
                () -> new IllegalArgumentException("source " + source.name() + " has no destination named " + name));
    }

    private void swap(Source source, UnaryOperator<List<Route>> change) {
        gate.exclusive(() -> source.routes(change.apply(source.routes())));
    }

    /** Closes an engine no event reaches any more; what it could not deliver in time. */
    private static List<DeliveryEngine.HeldEvent> closeEngine(Route route, Duration timeout) {
        try {
            return route.engine().closeHandingBack(timeout);
        } catch (RuntimeException e) {
            LOG.error("{}: closing the replaced destination failed: {}", route.name(), e.toString());
            return List.of();
        }
    }
}
