package io.sluice.runner.routing;

import io.sluice.core.delivery.DeliveryEngine;
import io.sluice.core.spool.Spool;
import io.sluice.core.spool.SpoolReader;
import io.sluice.runner.config.SluiceConfig;
import io.sluice.runner.deadletter.DeadLetterFile;
import io.sluice.runner.metrics.SluiceMetrics;
import io.sluice.runner.plugins.DestinationStarter;
import io.sluice.runner.plugins.Plugin;
import io.sluice.runner.plugins.PluginRegistry;
import io.sluice.spi.Destination;
import io.sluice.spi.DestinationProvider;
import java.time.Clock;
import java.util.Optional;

/**
 * Builds a route: creates and opens the destination, and starts its engine, fed by the route's
 * reader of the spool when there is one. Nothing routes events to it yet.
 */
final class RouteFactory {

    private final PluginRegistry registry;
    private final SluiceMetrics metrics;
    private final DeadLetterFile deadLetters;
    private final Optional<Spool> spool;
    private final EventObserver observer;
    private final Clock clock;

    RouteFactory(PluginRegistry registry, SluiceMetrics metrics, DeadLetterFile deadLetters, Optional<Spool> spool,
                 EventObserver observer, Clock clock) {
        this.registry = registry;
        this.metrics = metrics;
        this.deadLetters = deadLetters;
        this.spool = spool;
        this.observer = observer;
        this.clock = clock;
    }

    /**
     * @throws IllegalArgumentException for an unknown type, or a destination that cannot be created or opened
     */
    Route open(String source, SluiceConfig.Destination d, DeliveryTally tally, boolean enabled) {
        Plugin plugin = registry.find(d.type()).orElseThrow(
                () -> new IllegalArgumentException("unknown destination type " + d.type()));
        DestinationProvider provider = plugin.provider();
        Destination destination = new DestinationStarter(metrics::forPlugin).start(plugin, d.name(), d.settings());
        // A reader an earlier run or an engine this one replaces left resumes where it was.
        Optional<SpoolReader> reader = spool.map(s -> s.reader(d.name()));
        DeliveryLog log = new DeliveryLog(d.name(), () -> reader.isPresent()
                ? reader.get().backlog() : io.sluice.core.spool.Backlog.EMPTY, clock);
        OutcomeRecorder recorder = new OutcomeRecorder(source, d.name(), metrics, deadLetters, tally, log, observer);
        DeliveryEngine engine = new DeliveryEngine(d.name(), destination, d.delivery(), recorder, reader.orElse(null));
        return new Route(source, d, provider.integrationName(), engine, reader, tally, recorder, log, enabled);
    }
}
