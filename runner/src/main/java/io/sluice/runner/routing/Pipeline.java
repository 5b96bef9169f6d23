package io.sluice.runner.routing;

import io.sluice.core.delivery.DeliveryEngine;
import io.sluice.core.intake.AcceptedEvent;
import io.sluice.core.spool.Spool;
import io.sluice.runner.config.SluiceConfig;
import io.sluice.runner.deadletter.DeadLetterFile;
import io.sluice.runner.metrics.SluiceMetrics;
import io.sluice.runner.plugins.Plugin;
import io.sluice.runner.plugins.DestinationStarter;
import io.sluice.runner.plugins.PluginRegistry;
import io.sluice.spi.Destination;
import io.sluice.spi.DestinationProvider;
import io.sluice.spi.event.Event;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sources, each with the delivery engines of its destinations, and the step from accepted
 * events to engines: routing by the {@code integrations} object, and admission control.
 *
 * <p>With a {@link Spool}, {@link #admit} writes the events to disk before it hands them to the
 * engines (and so before the 200), each destination forgets an event there once it is delivered or
 * dead-lettered, and {@link #start} hands what a previous run left back to the engines.
 *
 * <p>A source's destinations change at run time ({@link #add}, {@link #replace}, {@link #setEnabled},
 * {@link #remove}): each change builds what it needs first, then swaps the source's route list in
 * one step. Offers to engines hold a read lock that the swap takes exclusively, so once a swap is
 * done no offer can reach the engine it replaced; that engine is then closed and what it hands back
 * goes to its replacement. A route keeps its name across a rebuild, so the spool rows, metrics and
 * counts made under that name carry on.
 */
public final class Pipeline implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);

    /** What a client waits before sending again after a 429: a buffer drains in about this long. */
    static final Duration RETRY_AFTER = Duration.ofSeconds(1);
    /** The longest a request waits for the spool's commit before it is refused. */
    private static final Duration SPOOL_WRITE_TIMEOUT = Duration.ofSeconds(30);

    /** The reason written to the dead-letter file for events a removed destination still held. */
    public static final String REMOVED_REASON = "the destination was removed before delivery";

    private final List<Source> sources;
    private final PluginRegistry registry;
    private final SluiceMetrics metrics;
    private final DeadLetterFile deadLetters;
    private final Optional<Spool> spool;
    private final EventObserver observer;
    /** Offers hold it shared; a swap of routes holds it exclusively (see the class comment). */
    private final ReentrantReadWriteLock swapping = new ReentrantReadWriteLock();
    private volatile boolean closed;

    private Pipeline(List<Source> sources, PluginRegistry registry, SluiceMetrics metrics, DeadLetterFile deadLetters,
                     Optional<Spool> spool, EventObserver observer) {
        this.sources = List.copyOf(sources);
        this.registry = registry;
        this.metrics = metrics;
        this.deadLetters = deadLetters;
        this.spool = spool;
        this.observer = observer;
        metrics.watch(this::routes);
        sources.forEach(s -> metrics.initialise(s.name(), s.routes().stream().map(Route::name).toList()));
    }

    /**
     * Creates and opens every configured destination, starts its engine, and hands it what the
     * spool still holds for it from an earlier run; {@code observer} hears what happens to each event.
     * A destination named in {@code disabled} starts switched off.
     *
     * @throws IllegalArgumentException when a provider refuses its settings; what is already open is closed
     */
    public static Pipeline start(SluiceConfig config, PluginRegistry registry, SluiceMetrics metrics,
                                 DeadLetterFile deadLetters, Optional<Spool> spool, EventObserver observer,
                                 Set<String> disabled) {
        List<Source> sources = new ArrayList<>();
        List<DeliveryEngine> started = new ArrayList<>();
        try {
            for (SluiceConfig.Source s : config.sources()) {
                List<Route> routes = new ArrayList<>();
                for (SluiceConfig.Destination d : s.destinations()) {
                    Route route = openRoute(s.name(), d, registry, metrics, deadLetters, spool, observer,
                            new DeliveryTally(), !disabled.contains(d.name()));
                    started.add(route.engine());
                    routes.add(route);
                }
                sources.add(new Source(s.name(), s.writeKey(), routes, s.allowedOrigins()));
            }
        } catch (RuntimeException e) {
            started.forEach(engine -> engine.close(Duration.ZERO));
            spool.ifPresent(Spool::close); // the pipeline's from the start on, as drain() shows
            throw e;
        }
        Pipeline pipeline = new Pipeline(sources, registry, metrics, deadLetters, spool, observer);
        spool.ifPresent(pipeline::replay);
        return pipeline;
    }

    /** Creates and opens a destination and starts its engine; nothing routes to it yet. */
    private static Route openRoute(String source, SluiceConfig.Destination d, PluginRegistry registry,
                                   SluiceMetrics metrics, DeadLetterFile deadLetters, Optional<Spool> spool,
                                   EventObserver observer, DeliveryTally tally, boolean enabled) {
        Plugin plugin = registry.find(d.type()).orElseThrow(
                () -> new IllegalArgumentException("unknown destination type " + d.type()));
        DestinationProvider provider = plugin.provider();
        Destination destination = new DestinationStarter(metrics::forPlugin).start(plugin, d.name(), d.settings());
        DeliveryEngine engine = new DeliveryEngine(d.name(), destination, d.delivery(),
                new OutcomeRecorder(source, d.name(), metrics, deadLetters, tally, spool, observer));
        return new Route(source, d, provider.integrationName(), engine, tally, enabled);
    }

    /** Events a replay reads from the spool at a time. */
    private static final int REPLAY_PAGE = 1_000;

    /**
     * Offers what an earlier run accepted but did not finish, on a thread of its own, a page at a
     * time and only as fast as each engine's buffer has room: a spool bigger than the heap is
     * replayed without ever being held in it. A destination no longer configured dead-letters it.
     */
    private void replay(Spool spool) {
        Thread replayer = new Thread(() -> {
            try {
                for (String destination : spool.pendingDestinations()) {
                    long count = replay(spool, destination);
                    LOG.info("{}: {} event(s) from the spool, accepted before the last stop, were handed back for delivery",
                            destination, count);
                }
            } catch (RuntimeException e) {
                if (!closed) {
                    LOG.error("replaying the spool failed; what is left is replayed at the next start", e);
                }
            }
        }, "sluice-spool-replay");
        replayer.setDaemon(true);
        replayer.start();
    }

    private long replay(Spool spool, String destination) {
        long after = 0;
        long count = 0;
        while (!closed) {
            Spool.Page page = spool.pendingPage(destination, after, REPLAY_PAGE);
            if (page.events().isEmpty()) {
                break;
            }
            for (Event event : page.events()) {
                while (!offerReplayed(spool, destination, event)) {
                    if (closed) {
                        return count;
                    }
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return count;
                    }
                }
                count++;
            }
            after = page.lastRow();
        }
        return count;
    }

    /** Offers one replayed event to its route's current engine; false when that buffer has no room yet. */
    private boolean offerReplayed(Spool spool, String destination, Event event) {
        swapping.readLock().lock();
        try {
            Optional<Route> route = routes().stream().filter(r -> r.name().equals(destination)).findFirst();
            if (route.isEmpty()) {
                deadLetters.undeliverable("", destination, event, "the destination " + destination + " is no longer configured");
                spool.done(destination, event);
                return true;
            }
            DeliveryEngine engine = route.get().engine();
            if (engine.stats().events() > 0 && !engine.hasRoomFor(event.jsonLength())) {
                return false;
            }
            engine.offer(event);
            return true;
        } finally {
            swapping.readLock().unlock();
        }
    }

    public List<Source> sources() {
        return sources;
    }

    public Optional<Source> source(String name) {
        return sources.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /** Every destination instance of every source, switched on or off, at this moment. */
    public List<Route> routes() {
        return sources.stream().flatMap(s -> s.routes().stream()).toList();
    }

    /**
     * Adds a destination to a source. It is created, opened and started before any event is
     * routed to it.
     *
     * @throws IllegalArgumentException for an unknown source or type, a name already used, or a
     *                                  destination that cannot be created
     * @throws IllegalStateException    when shutting down
     */
    public synchronized Route add(String sourceName, SluiceConfig.Destination destination, boolean enabled) {
        ensureOpen();
        Source source = requireSource(sourceName);
        if (routes().stream().anyMatch(r -> r.name().equals(destination.name()))) {
            throw new IllegalArgumentException("a destination named " + destination.name() + " already exists");
        }
        Route route = openRoute(source.name(), destination, registry, metrics, deadLetters, spool, observer,
                new DeliveryTally(), enabled);
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
     * Rebuilds a destination with new settings and the given on/off state, keeping its name and counts. The new
     * destination is opened first and takes every new event from the swap on; the old engine then
     * delivers what it holds for up to {@code drainTimeout}, and whatever it still holds after
     * that (queued, waiting to retry or in flight) is handed to the new one. Nothing is lost; an
     * event that was in flight when the timeout came may be delivered twice (at-least-once).
     *
     * @return how many events moved from the old engine to the new one
     * @throws IllegalArgumentException for an unknown source or destination, a changed type, or a
     *                                  destination that cannot be created (the old one then runs on)
     */
    public synchronized int replace(String sourceName, SluiceConfig.Destination destination, boolean enabled,
                                    Duration drainTimeout) {
        ensureOpen();
        Source source = requireSource(sourceName);
        Route old = requireRoute(source, destination.name());
        if (!old.type().equals(destination.type())) {
            throw new IllegalArgumentException(destination.name() + " is a " + old.type()
                    + " destination; its type cannot change (remove it and add a new one)");
        }
        Route fresh = openRoute(source.name(), destination, registry, metrics, deadLetters, spool, observer,
                old.tally(), enabled);
        swap(source, routes -> routes.stream().map(r -> r == old ? fresh : r).toList());
        List<Event> left = closeEngine(old, drainTimeout);
        left.forEach(fresh.engine()::offer);
        LOG.info("{}: rebuilt with new settings; {} event(s) the old destination still held moved to the new one",
                old.name(), left.size());
        return left.size();
    }

    /**
     * Switches a destination on or off. Off, no new event is routed to it; what it holds is still
     * delivered.
     */
    public synchronized void setEnabled(String sourceName, String name, boolean enabled) {
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
     * Removes a destination: no new event goes to it, it delivers what it holds for up to
     * {@code drainTimeout}, and what is left then is written to the dead-letter file (reason
     * {@value #REMOVED_REASON}) and released from the spool.
     *
     * @return how many events were dead-lettered
     */
    public synchronized int remove(String sourceName, String name, Duration drainTimeout) {
        ensureOpen();
        Source source = requireSource(sourceName);
        Route old = requireRoute(source, name);
        swap(source, routes -> routes.stream().filter(r -> r != old).toList());
        List<Event> left = closeEngine(old, drainTimeout);
        undeliverable(old, left, REMOVED_REASON);
        LOG.info("{}: removed from source {}{}", name, source.name(),
                left.isEmpty() ? "" : "; " + left.size() + " undelivered event(s) written to " + deadLetters.path());
        return left.size();
    }

    /** Records events a route will never deliver as its engine records its own failures: metrics, tally, dead letters, spool, debugger. */
    private void undeliverable(Route route, List<Event> events, String reason) {
        OutcomeRecorder recorder = new OutcomeRecorder(route.source(), route.name(), metrics, deadLetters, route.tally(),
                spool, observer);
        events.forEach(event -> recorder.failed(event, reason));
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("Sluice is shutting down; destinations can no longer change");
        }
    }

    private Source requireSource(String name) {
        return source(name).orElseThrow(() -> new IllegalArgumentException("no source named " + name));
    }

    private static Route requireRoute(Source source, String name) {
        return source.route(name).orElseThrow(
                () -> new IllegalArgumentException("source " + source.name() + " has no destination named " + name));
    }

    /** Replaces a source's routes while no offer is under way. */
    private void swap(Source source, UnaryOperator<List<Route>> change) {
        swapping.writeLock().lock();
        try {
            source.routes(change.apply(source.routes()));
        } finally {
            swapping.writeLock().unlock();
        }
    }

    /** Closes a route's engine that no longer takes offers; what it could not deliver in time. */
    private static List<Event> closeEngine(Route route, Duration timeout) {
        try {
            return route.engine().close(timeout);
        } catch (RuntimeException e) {
            LOG.error("{}: closing the replaced destination failed: {}", route.name(), e.toString());
            return List.of();
        }
    }

    /**
     * Hands {@code events} to the destinations their {@code integrations} enable, all or nothing:
     * when any of those destinations lacks buffer room for its share, nothing is taken and the
     * caller answers 429. Concurrent requests may overshoot a buffer by what they admit at the
     * same moment; the bound still holds to within that.
     */
    public Admission admit(Source source, List<AcceptedEvent> events) {
        if (closed) {
            return new Admission.Closed();
        }
        List<Route> routes = source.enabledRoutes();
        // Each event's destination names, for the spool and the observer; routed once, here.
        boolean named = spool.isPresent() || observer != EventObserver.NONE;
        List<List<String>> destinations = named ? new ArrayList<>(events.size()) : List.of();
        Map<Route, Share> shares = new IdentityHashMap<>();
        for (AcceptedEvent accepted : events) {
            List<String> to = named ? new ArrayList<>(routes.size()) : null;
            for (Route route : routes) {
                if (accepted.integrations().enables(route.integrationName())) {
                    shares.computeIfAbsent(route, r -> new Share()).add(accepted.event());
                    if (named) {
                        to.add(route.name());
                    }
                }
            }
            if (named) {
                destinations.add(to);
            }
        }
        long total = 0;
        for (Map.Entry<Route, Share> share : shares.entrySet()) {
            if (!share.getKey().engine().hasRoomFor(share.getValue().bytes)) {
                return new Admission.Full(share.getKey().name(), RETRY_AFTER);
            }
            total += share.getValue().bytes;
        }
        if (spool.isPresent() && !shares.isEmpty()) {
            Optional<Admission> refused = persist(spool.get(), events, destinations, total);
            if (refused.isPresent()) {
                return refused.get();
            }
        }
        if (observer != EventObserver.NONE) {
            // Before the offers, so that the observer hears of an event before any outcome of it.
            for (int i = 0; i < events.size(); i++) {
                Event event = events.get(i).event();
                List<String> to = destinations.get(i);
                EventObserver.quietly(() -> observer.accepted(source.name(), event, to));
            }
        }
        try {
            offer(source, shares);
        } catch (IllegalStateException e) {
            return new Admission.Closed(); // an engine closed between the check and the offer
        }
        metrics.accepted(source.name(), events.size());
        return new Admission.Accepted(events.size());
    }

    /** One route's part of a request: its events and their bytes. */
    private static final class Share {
        final List<Event> events = new ArrayList<>();
        long bytes;

        void add(Event event) {
            events.add(event);
            bytes += event.jsonLength();
        }
    }

    /**
     * Hands each share to the engine its route has now: a route rebuilt since the events were
     * routed gives them to its new engine, and a route removed since dead-letters them, as {@link #remove} does.
     */
    private void offer(Source source, Map<Route, Share> shares) {
        swapping.readLock().lock();
        try {
            for (Map.Entry<Route, Share> share : shares.entrySet()) {
                Optional<Route> current = source.route(share.getKey().name());
                if (current.isEmpty()) {
                    undeliverable(share.getKey(), share.getValue().events, REMOVED_REASON);
                    continue;
                }
                DeliveryEngine engine = current.get().engine();
                share.getValue().events.forEach(engine::offer);
            }
        } finally {
            swapping.readLock().unlock();
        }
    }

    /** Writes the request's routed events to the spool and waits for the commit; a refusal when it cannot. */
    private Optional<Admission> persist(Spool spool, List<AcceptedEvent> events, List<List<String>> destinations,
                                        long bytes) {
        if (!spool.hasRoomFor(bytes)) {
            return Optional.of(new Admission.SpoolFull(RETRY_AFTER));
        }
        Map<Event, List<String>> routed = new LinkedHashMap<>();
        for (int i = 0; i < events.size(); i++) {
            if (!destinations.get(i).isEmpty()) {
                routed.put(events.get(i).event(), destinations.get(i));
            }
        }
        CompletableFuture<Void> written = spool.append(routed);
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
            if (cause instanceof io.sluice.core.spool.SpoolFullException) {
                // The disk under the spool is full: like maxBytes, a 507 the client retries later.
                LOG.warn("the spool refused {} event(s): {}", routed.size(), cause.getMessage());
                return Optional.of(new Admission.SpoolFull(RETRY_AFTER));
            }
            LOG.error("the spool refused {} event(s): {}", routed.size(), cause.toString());
            return Optional.of(new Admission.SpoolFailed("the spool could not write the events: " + cause.getMessage()));
        }
    }

    /** Completes when every engine has delivered (or given up on) what it holds. */
    public CompletableFuture<Void> flush() {
        return CompletableFuture.allOf(routes().stream().map(r -> r.engine().flush()).toArray(CompletableFuture[]::new));
    }

    /**
     * Stops taking events, lets every engine drain for up to {@code timeout} in all, closes the
     * destinations, and writes what was not delivered to the dead-letter file.
     *
     * With a spool, what was not delivered stays there for the next start instead.
     *
     * @return the number of events dead-lettered as {@value DeadLetterFile#SHUTDOWN_REASON}
     */
    public synchronized int drain(Duration timeout) {
        if (closed) {
            return 0;
        }
        closed = true;
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            flush().get(Math.max(0, timeout.toMillis()), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // what is left is dead-lettered below, and each route says how much
        }
        int left = 0;
        for (Route route : routes()) {
            Duration remaining = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
            List<Event> undelivered;
            try {
                undelivered = route.engine().close(remaining);
            } catch (RuntimeException e) {
                LOG.error("{}: closing failed: {}", route.name(), e.toString());
                continue;
            }
            if (spool.isPresent()) {
                if (!undelivered.isEmpty()) {
                    LOG.info("{}: {} event(s) not delivered before shutdown stay in the spool for the next start",
                            route.name(), undelivered.size());
                }
                continue;
            }
            undeliverable(route, undelivered, DeadLetterFile.SHUTDOWN_REASON);
            if (!undelivered.isEmpty()) {
                LOG.warn("{}: {} event(s) not delivered before shutdown were written to {}",
                        route.name(), undelivered.size(), deadLetters.path());
            }
            left += undelivered.size();
        }
        spool.ifPresent(Spool::close);
        return left;
    }

    @Override
    public void close() {
        drain(Duration.ZERO);
    }
}
