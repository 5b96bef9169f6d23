package io.sluice.runner.routing;

import io.sluice.core.delivery.DeliveryEngine;
import io.sluice.core.intake.AcceptedEvent;
import io.sluice.core.spool.Spool;
import io.sluice.core.spool.SpoolReader;
import io.sluice.runner.config.SluiceConfig;
import io.sluice.runner.deadletter.DeadLetterFile;
import io.sluice.runner.metrics.SluiceMetrics;
import io.sluice.runner.plugins.PluginRegistry;
import io.sluice.spi.event.Event;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sources with the routes to their destinations, from start to drain. Admission is the
 * {@link Admitter}'s job and run-time changes are {@link RouteChanges}'; this class starts the
 * routes (each engine fed by its reader of the spool, which resumes where an earlier run left
 * it), dead-letters what the spool holds for destinations no longer configured, writes each
 * destination's summary line every {@link #SUMMARY_INTERVAL}, and drains at shutdown.
 */
public final class Pipeline implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);

    /** How often each destination's {@link DeliveryLog} may write its summary. */
    static final Duration SUMMARY_INTERVAL = Duration.ofSeconds(10);

    /** The reason written to the dead-letter file for events a removed destination still held. */
    public static final String REMOVED_REASON = RouteChanges.REMOVED_REASON;

    private final List<Source> sources;
    private final DeadLetterFile deadLetters;
    private final Optional<Spool> spool;
    private final RouteGate gate;
    private final Admitter admitter;
    private final RouteChanges changes;
    private final ScheduledExecutorService summaries;

    private Pipeline(List<Source> sources, RouteFactory factory, SluiceMetrics metrics, DeadLetterFile deadLetters,
                     Optional<Spool> spool, EventObserver observer, RouteGate gate, Duration summaryInterval) {
        this.sources = List.copyOf(sources);
        this.deadLetters = deadLetters;
        this.spool = spool;
        this.gate = gate;
        this.admitter = new Admitter(spool, metrics, observer, gate);
        this.changes = new RouteChanges(this.sources, factory, metrics, deadLetters, spool, gate);
        metrics.watch(this::routes);
        spool.ifPresent(s -> metrics.watchSpool(s::bytes, s.policy().maxBytes()));
        sources.forEach(s -> metrics.initialise(s.name(), s.routes().stream().map(Route::name).toList()));
        this.summaries = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sluice-delivery-log");
            t.setDaemon(true);
            return t;
        });
        long every = summaryInterval.toMillis();
        summaries.scheduleAtFixedRate(() -> routes().forEach(route -> {
            try {
                route.log().summarise(summaryInterval);
            } catch (RuntimeException e) {
                LOG.error("{}: writing the summary failed: {}", route.name(), e.toString());
            }
        }), every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * Creates and opens every configured destination and starts its engine; with a spool, each
     * engine resumes its destination's backlog there. A destination named in {@code disabled}
     * starts switched off (it still delivers its backlog). {@code observer} hears what happens to
     * each event.
     *
     * @throws IllegalArgumentException when a provider refuses its settings; what is already open is closed
     */
    public static Pipeline start(SluiceConfig config, PluginRegistry registry, SluiceMetrics metrics,
                                 DeadLetterFile deadLetters, Optional<Spool> spool, EventObserver observer,
                                 Set<String> disabled) {
        return start(config, registry, metrics, deadLetters, spool, observer, disabled, SUMMARY_INTERVAL);
    }

    static Pipeline start(SluiceConfig config, PluginRegistry registry, SluiceMetrics metrics,
                          DeadLetterFile deadLetters, Optional<Spool> spool, EventObserver observer,
                          Set<String> disabled, Duration summaryInterval) {
        RouteFactory factory = new RouteFactory(registry, metrics, deadLetters, spool, observer, Clock.systemUTC());
        List<Source> sources = new ArrayList<>();
        List<DeliveryEngine> started = new ArrayList<>();
        try {
            for (SluiceConfig.Source s : config.sources()) {
                List<Route> routes = new ArrayList<>();
                for (SluiceConfig.Destination d : s.destinations()) {
                    Route route = factory.open(s.name(), d, new DeliveryTally(), !disabled.contains(d.name()));
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
        Pipeline pipeline = new Pipeline(sources, factory, metrics, deadLetters, spool, observer, new RouteGate(),
                summaryInterval);
        spool.ifPresent(pipeline::deadLetterOrphans);
        return pipeline;
    }

    /**
     * What the spool holds for destinations no longer configured goes to the dead-letter file, on
     * a thread of its own, page by page. What cannot be written stays for the next start.
     */
    private void deadLetterOrphans(Spool spool) {
        Set<String> configured = Set.copyOf(routes().stream().map(Route::name).toList());
        List<String> orphans = spool.readerNames().stream().filter(n -> !configured.contains(n)).toList();
        if (orphans.isEmpty()) {
            return;
        }
        Thread thread = new Thread(() -> {
            for (String name : orphans) {
                SpoolReader reader = spool.reader(name);
                String reason = "the destination " + name + " is no longer configured";
                long[] count = {0};
                try {
                    reader.drain(event -> {
                        deadLetters.undeliverable("", name, event, reason);
                        count[0]++;
                    });
                    spool.remove(reader);
                    LOG.info("{}: no longer configured; {} event(s) it had in the spool were written to {}",
                            name, count[0], deadLetters.path());
                } catch (UncheckedIOException e) {
                    LOG.error("{}: no longer configured; its events could not all be written to {}; the rest stay"
                            + " in the spool for the next start", name, deadLetters.path());
                } catch (IllegalStateException e) {
                    if (!gate.closed()) {
                        LOG.error("{}: dead-lettering what the spool holds for it failed: {}", name, e.toString());
                    }
                    return;
                }
            }
        }, "sluice-spool-orphans");
        thread.setDaemon(true);
        thread.start();
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

    /** Routes a request's events and takes them, all or nothing; see {@link Admitter}. */
    public Admission admit(Source source, List<AcceptedEvent> events) {
        return admitter.admit(source, events);
    }

    /**
     * Adds a destination to a source. It is created, opened and started before any event is
     * routed to it.
     *
     * @throws IllegalArgumentException for an unknown source or type, a name already used, or a
     *                                  destination that cannot be created
     * @throws IllegalStateException    when shutting down
     */
    public Route add(String sourceName, SluiceConfig.Destination destination, boolean enabled) {
        return changes.add(sourceName, destination, enabled);
    }

    /**
     * Rebuilds a destination with new settings and the given on/off state, keeping its name, its
     * place in the spool and its counts; see {@link RouteChanges#replace}.
     *
     * @return how many events moved from the old engine to the new one
     * @throws IllegalArgumentException for an unknown source or destination, a changed type, or a
     *                                  destination that cannot be created (the old one then runs on)
     */
    public int replace(String sourceName, SluiceConfig.Destination destination, boolean enabled,
                       Duration drainTimeout) {
        return changes.replace(sourceName, destination, enabled, drainTimeout);
    }

    /** Switches a destination on or off. Off, no new event is routed to it; what it has is still delivered. */
    public void setEnabled(String sourceName, String name, boolean enabled) {
        changes.setEnabled(sourceName, name, enabled);
    }

    /**
     * Removes a destination: no new event goes to it, it delivers what it holds for up to
     * {@code drainTimeout}, and what is left (held, or in its backlog on disk) is written to the
     * dead-letter file with reason {@value #REMOVED_REASON}.
     *
     * @return how many events were dead-lettered
     */
    public int remove(String sourceName, String name, Duration drainTimeout) {
        return changes.remove(sourceName, name, drainTimeout);
    }

    /** Completes when every engine has delivered (or given up on) what it holds and its backlog. */
    public CompletableFuture<Void> flush() {
        return CompletableFuture.allOf(routes().stream().map(r -> r.engine().flush()).toArray(CompletableFuture[]::new));
    }

    /**
     * Stops taking events and lets every engine deliver what its memory holds for up to
     * {@code timeout} in all, then closes the destinations. With a spool, engines stop reading
     * their backlog at once, and what was not delivered stays there for the next start; without
     * one, it is written to the dead-letter file.
     *
     * @return the number of events dead-lettered as {@value DeadLetterFile#SHUTDOWN_REASON}
     */
    public int drain(Duration timeout) {
        if (!gate.close()) {
            return 0;
        }
        summaries.shutdownNow();
        long deadline = System.nanoTime() + timeout.toNanos();
        routes().forEach(r -> r.engine().stopTaking());
        try {
            flush().get(Math.max(0, timeout.toMillis()), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // what is left is kept or dead-lettered below, and each route says how much
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
                long backlog = route.backlog().events();
                if (backlog > 0) {
                    LOG.info("{}: {} event(s) not delivered before shutdown stay in the spool for the next start",
                            route.name(), backlog);
                }
                continue;
            }
            for (Event event : undelivered) {
                try {
                    route.recorder().deadLettered(event, DeadLetterFile.SHUTDOWN_REASON);
                    left++;
                } catch (UncheckedIOException e) {
                    LOG.error("{}: an event not delivered before shutdown could not be written to {}",
                            route.name(), deadLetters.path());
                }
            }
            if (!undelivered.isEmpty()) {
                LOG.warn("{}: {} event(s) not delivered before shutdown were written to {}",
                        route.name(), undelivered.size(), deadLetters.path());
            }
        }
        spool.ifPresent(Spool::close);
        return left;
    }

    @Override
    public void close() {
        drain(Duration.ZERO);
    }
}
