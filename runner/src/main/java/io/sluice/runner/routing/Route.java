package io.sluice.runner.routing;

import io.sluice.core.delivery.DeliveryEngine;
import io.sluice.runner.config.SluiceConfig;
import io.sluice.runner.metrics.SluiceMetrics;
import io.sluice.spi.Health;

/**
 * One destination instance of a source, with the engine that delivers to it.
 *
 * @param source          the source's name
 * @param definition      what it was built from: its unique name (metrics label, dead-letter field), type and settings
 * @param integrationName the key that enables or disables it in a call's {@code integrations}
 * @param engine          its delivery engine
 * @param tally           what happened to the events it was given
 * @param enabled         whether new events are routed to it; a disabled route still delivers what it holds
 */
public record Route(String source, SluiceConfig.Destination definition, String integrationName, DeliveryEngine engine,
                    DeliveryTally tally, boolean enabled) implements SluiceMetrics.DestinationGauge {

    /** The same route, switched on or off. */
    Route withEnabled(boolean on) {
        return new Route(source, definition, integrationName, engine, tally, on);
    }

    /** The instance's unique name. */
    public String name() {
        return definition.name();
    }

    /** The provider id. */
    public String type() {
        return definition.type();
    }

    /** The destination's own health; a health check that throws counts as unhealthy. */
    public Health health() {
        try {
            Health health = engine.destination().health();
            return health == null ? Health.unhealthy("the destination reported no health") : health;
        } catch (RuntimeException e) {
            // The class only: an exception message may quote settings.
            return Health.unhealthy("the health check failed with " + e.getClass().getName());
        }
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
    public boolean healthy() {
        return health().isHealthy();
    }
}
