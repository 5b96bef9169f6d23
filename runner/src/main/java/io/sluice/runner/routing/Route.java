package io.sluice.runner.routing;

import io.sluice.core.delivery.DeliveryEngine;
import io.sluice.core.spool.Backlog;
import io.sluice.core.spool.SpoolReader;
import io.sluice.runner.config.SluiceConfig;
import io.sluice.runner.metrics.SluiceMetrics;
import io.sluice.spi.Health;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One destination instance of a source, with the engine that delivers to it.
 *
 * @param source          the source's name
 * @param definition      what it was built from: its unique name (metrics label, dead-letter field), type and settings
 * @param integrationName the key that enables or disables it in a call's {@code integrations}
 * @param engine          its delivery engine
 * @param reader          its place in the spool, which feeds the engine; empty without a spool
 * @param tally           what happened to the events it was given
 * @param recorder        what hears its outcomes
 * @param log             its summary and state-change log lines
 * @param enabled         whether new events are routed to it; a disabled route still delivers what it holds
 */
public record Route(String source, SluiceConfig.Destination definition, String integrationName, DeliveryEngine engine,
                    Optional<SpoolReader> reader, DeliveryTally tally, OutcomeRecorder recorder, DeliveryLog log,
                    boolean enabled) implements SluiceMetrics.DestinationGauge {

    /** The same route, switched on or off. */
    Route withEnabled(boolean on) {
        return new Route(source, definition, integrationName, engine, reader, tally, recorder, log, on);
    }

    /** The instance's unique name. */
    public String name() {
        return definition.name();
    }

    /** The provider id. */
    public String type() {
        return definition.type();
    }

    /**
     * The destination's own health, unless its deliveries are failing: a destination cannot always
     * tell it is unreachable (Kinesis's client just retries). A health check that throws counts as
     * unhealthy.
     */
    public Health health() {
        Health own;
        try {
            own = engine.destination().health();
            own = own == null ? Health.unhealthy("the destination reported no health") : own;
        } catch (RuntimeException e) {
            // The class only: an exception message may quote settings.
            own = Health.unhealthy("the health check failed with " + e.getClass().getName());
        }
        return own.isHealthy() ? log.failing().map(Health::unhealthy).orElse(own) : own;
    }

    /**
     * What it has not delivered yet: with a spool, its backlog there (in its memory window or on
     * disk); without one, what its engine holds.
     */
    public Backlog backlog() {
        if (reader.isPresent()) {
            return reader.get().backlog();
        }
        DeliveryEngine.Stats held = engine.stats();
        return new Backlog(held.events(), held.bytes(), Optional.empty());
    }

    @Override
    public String destinationName() {
        return name();
    }

    @Override
    public long bufferedEvents() {
        return engine.stats().events();
    }

    @Override
    public long bufferedBytes() {
        return engine.stats().bytes();
    }

    @Override
    public long backlogEvents() {
        return backlog().events();
    }

    @Override
    public long backlogBytes() {
        return backlog().bytes();
    }

    @Override
    public double oldestEventAgeSeconds() {
        return backlog().oldest().map(o -> Math.max(0, Duration.between(o, Instant.now()).toMillis() / 1000.0)).orElse(0.0);
    }

    @Override
    public boolean healthy() {
        return health().isHealthy();
    }
}
