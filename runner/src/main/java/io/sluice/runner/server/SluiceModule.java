package io.sluice.runner.server;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.sluice.core.intake.Intake;
import io.sluice.core.spool.Spool;
import io.sluice.core.spool.SpoolPolicy;
import io.sluice.runner.admin.AdminModule;
import io.sluice.runner.admin.AdminState;
import io.sluice.runner.config.SluiceConfig;
import io.sluice.runner.deadletter.DeadLetterFile;
import io.sluice.runner.http.NodeStatus;
import io.sluice.runner.http.TrackingServer;
import io.sluice.runner.http.WriteKeyAuthenticator;
import io.sluice.runner.metrics.SluiceMetrics;
import io.sluice.runner.plugins.PluginRegistry;
import io.sluice.runner.routing.EventObserver;
import io.sluice.runner.routing.Pipeline;
import java.time.Clock;
import java.util.Optional;

/**
 * Wires one Sluice: a validated configuration and the plugins become the intake, the pipeline of
 * engines, the dead-letter file, metrics and the HTTP server. Everything is a singleton and built
 * on first use, so {@code sluice send} gets the pipeline without an HTTP server.
 */
public final class SluiceModule extends AbstractModule {

    private final SluiceConfig config;
    private final PluginRegistry registry;
    private final Clock clock;

    public SluiceModule(SluiceConfig config, PluginRegistry registry) {
        this(config, registry, Clock.systemUTC());
    }

    public SluiceModule(SluiceConfig config, PluginRegistry registry, Clock clock) {
        this.config = config;
        this.registry = registry;
        this.clock = clock;
    }

    @Override
    protected void configure() {
        bind(SluiceConfig.class).toInstance(config);
        bind(PluginRegistry.class).toInstance(registry);
        bind(Clock.class).toInstance(clock);
        bind(SluiceMetrics.class).in(Singleton.class);
        install(new AdminModule());
    }

    @Provides
    @Singleton
    Intake intake(Clock clock) {
        return new Intake(clock);
    }

    @Provides
    @Singleton
    DeadLetterFile deadLetterFile(SluiceConfig config, Clock clock) {
        SpoolPolicy spool = config.spool().policy();
        return new DeadLetterFile(config.deadLetter(), clock, spool.fsync(), spool.fsyncInterval());
    }

    @Provides
    @Singleton
    Pipeline pipeline(SluiceConfig config, AdminState.Applied applied, PluginRegistry registry, SluiceMetrics metrics,
                      DeadLetterFile deadLetters, EventObserver observer) {
        // The configuration file with the changes made in the dashboard on top.
        SluiceConfig.Spool spool = config.spool();
        return Pipeline.start(applied.config(), registry, metrics, deadLetters,
                spool.enabled() ? Optional.of(Spool.open(spool.path(), spool.policy())) : Optional.empty(), observer,
                applied.disabled());
    }

    @Provides
    @Singleton
    WriteKeyAuthenticator authenticator(Pipeline pipeline) {
        return new WriteKeyAuthenticator(pipeline.sources());
    }

    @Provides
    @Singleton
    TrackingServer trackingServer(SluiceConfig config, Intake intake, Pipeline pipeline,
                                  WriteKeyAuthenticator authenticator, DeadLetterFile deadLetters, SluiceMetrics metrics,
                                  EventObserver observer, AdminState state) {
        metrics.instance(config.server().instanceId());
        return new TrackingServer(config.server(), intake, pipeline, authenticator, deadLetters, metrics, observer,
                new NodeStatus(config.server().instanceId(), state.describe(), state::problem));
    }
}
