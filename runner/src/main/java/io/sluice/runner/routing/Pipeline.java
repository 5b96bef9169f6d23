package io.sluice.runner.routing;

import io.sluice.core.delivery.DeliveryEngine;
import io.sluice.core.intake.AcceptedEvent;
import io.sluice.core.spool.Spool;
import io.sluice.runner.config.SluiceConfig;
import io.sluice.runner.deadletter.DeadLetterFile;
import io.sluice.runner.metrics.SluiceMetrics;
import io.sluice.runner.plugins.Plugin;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sources, each with the delivery engines of its destinations, and the step from accepted
 * events to engines: routing by the {@code integrations} object, and admission control.
 *
 * <p>With a {@link Spool}, {@link #admit} writes the events to disk before it hands them to the
 * engines (and so before the 200), each destination forgets an event there once it is delivered or
 * dead-lettered, and {@link #start} hands what a previous run left back to the engines.
 */
public final class Pipeline implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);

    /** What a client waits before sending again after a 429: a buffer drains in about this long. */
    static final Duration RETRY_AFTER = Duration.ofSeconds(1);
    private static final Duration EMPTY_CLOSE = Duration.ofSeconds(1);
    /** The longest a request waits for the spool's commit before it is refused. */
    private static final Duration SPOOL_WRITE_TIMEOUT = Duration.ofSeconds(30);

    private final List<Source> sources;
    private final List<Route> routes;
    private final SluiceMetrics metrics;
    private final DeadLetterFile deadLetters;
    private final Optional<Spool> spool;
    private volatile boolean closed;

    private Pipeline(List<Source> sources, SluiceMetrics metrics, DeadLetterFile deadLetters, Optional<Spool> spool) {
        this.sources = List.copyOf(sources);
        this.routes = sources.stream().flatMap(s -> s.routes().stream()).toList();
        this.metrics = metrics;
        this.deadLetters = deadLetters;
        this.spool = spool;
        metrics.watch(() -> routes);
        sources.forEach(s -> metrics.initialise(s.name(), s.routes().stream().map(Route::name).toList()));
    }

    /**
     * Creates and opens every configured destination, starts its engine, and hands it what the
     * spool still holds for it from an earlier run.
     *
     * @throws IllegalArgumentException when a provider refuses its settings; what is already open is closed
     */
    public static Pipeline start(SluiceConfig config, PluginRegistry registry, SluiceMetrics metrics,
                                 DeadLetterFile deadLetters, Optional<Spool> spool) {
        List<Source> sources = new ArrayList<>();
        List<DeliveryEngine> started = new ArrayList<>();
        try {
            for (SluiceConfig.Source s : config.sources()) {
                List<Route> routes = new ArrayList<>();
                for (SluiceConfig.Destination d : s.destinations()) {
                    Plugin plugin = registry.find(d.type()).orElseThrow(
                            () -> new IllegalArgumentException("unknown destination type " + d.type()));
                    DestinationProvider provider = plugin.provider();
                    Destination destination = create(provider, d);
                    open(destination, d);
                    DeliveryTally tally = new DeliveryTally();
                    DeliveryEngine engine = new DeliveryEngine(d.name(), destination, d.delivery(),
                            new OutcomeRecorder(s.name(), d.name(), metrics, deadLetters, tally, spool));
                    started.add(engine);
                    routes.add(new Route(s.name(), d.name(), d.type(), provider.integrationName(), engine, tally));
                }
                sources.add(new Source(s.name(), s.writeKey(), routes));
            }
        } catch (RuntimeException e) {
            started.forEach(engine -> engine.close(Duration.ZERO));
            throw e;
        }
        Pipeline pipeline = new Pipeline(sources, metrics, deadLetters, spool);
        spool.ifPresent(pipeline::replay);
        return pipeline;
    }

    /** Offers what an earlier run accepted but did not finish; a destination no longer configured dead-letters it. */
    private void replay(Spool spool) {
        for (Map.Entry<String, List<Event>> held : spool.pending().entrySet()) {
            Optional<Route> route = routes.stream().filter(r -> r.name().equals(held.getKey())).findFirst();
            for (Event event : held.getValue()) {
                if (route.isPresent()) {
                    route.get().engine().offer(event);
                } else {
                    deadLetters.undeliverable("", held.getKey(), event,
                            "the destination " + held.getKey() + " is no longer configured");
                    spool.done(held.getKey(), event);
                }
            }
            LOG.info("{}: {} event(s) from the spool, accepted before the last stop, are being delivered",
                    held.getKey(), held.getValue().size());
        }
    }

    private static Destination create(DestinationProvider provider, SluiceConfig.Destination d) {
        try {
            return provider.create(d.settings());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(d.name() + ": the " + d.type()
                    + " destination cannot be created: " + e.getMessage(), e);
        }
    }

    private static void open(Destination destination, SluiceConfig.Destination d) {
        try {
            destination.open();
        } catch (RuntimeException e) {
            destination.close();
            throw new IllegalArgumentException(d.name() + ": the " + d.type() + " destination cannot be opened: "
                    + e.getMessage(), e);
        }
    }

    public List<Source> sources() {
        return sources;
    }

    public Optional<Source> source(String name) {
        return sources.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /** Every destination instance of every source. */
    public List<Route> routes() {
        return routes;
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
        Map<Route, List<Event>> shares = new IdentityHashMap<>();
        for (AcceptedEvent accepted : events) {
            for (Route route : source.routes()) {
                if (accepted.integrations().enables(route.integrationName())) {
                    shares.computeIfAbsent(route, r -> new ArrayList<>()).add(accepted.event());
                }
            }
        }
        long total = 0;
        for (Map.Entry<Route, List<Event>> share : shares.entrySet()) {
            long bytes = share.getValue().stream().mapToLong(Event::jsonLength).sum();
            if (!share.getKey().engine().hasRoomFor(bytes)) {
                return new Admission.Full(share.getKey().name(), RETRY_AFTER);
            }
            total += bytes;
        }
        if (spool.isPresent()) {
            Optional<Admission> refused = persist(spool.get(), shares, total);
            if (refused.isPresent()) {
                return refused.get();
            }
        }
        try {
            shares.forEach((route, share) -> share.forEach(route.engine()::offer));
        } catch (IllegalStateException e) {
            return new Admission.Closed(); // an engine closed between the check and the offer
        }
        metrics.accepted(source.name(), events.size());
        return new Admission.Accepted(events.size());
    }

    /** Writes the request's events to the spool and waits for the commit; a refusal when it cannot. */
    private Optional<Admission> persist(Spool spool, Map<Route, List<Event>> shares, long bytes) {
        if (!spool.hasRoomFor(bytes)) {
            return Optional.of(new Admission.SpoolFull(RETRY_AFTER));
        }
        Map<Event, List<String>> routed = new LinkedHashMap<>();
        shares.forEach((route, events) -> events.forEach(
                e -> routed.computeIfAbsent(e, x -> new ArrayList<>(1)).add(route.name())));
        try {
            spool.append(routed).get(SPOOL_WRITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of(new Admission.SpoolFailed("interrupted while writing to the spool"));
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            LOG.error("the spool refused {} event(s): {}", routed.size(), cause.toString());
            return Optional.of(new Admission.SpoolFailed("the spool could not write the events: " + cause.getMessage()));
        }
    }

    /** Completes when every engine has delivered (or given up on) what it holds. */
    public CompletableFuture<Void> flush() {
        return CompletableFuture.allOf(routes.stream().map(r -> r.engine().flush()).toArray(CompletableFuture[]::new));
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
        for (Route route : routes) {
            // An empty engine drains at once; a zero timeout would only make it warn.
            Duration remaining = route.bufferedEvents() == 0 ? EMPTY_CLOSE
                    : Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
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
            for (Event event : undelivered) {
                deadLetters.undeliverable(route.source(), route.name(), event, DeadLetterFile.SHUTDOWN_REASON);
                route.tally().recordFailure(DeadLetterFile.SHUTDOWN_REASON);
            }
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
