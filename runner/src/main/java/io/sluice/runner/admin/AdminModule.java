package io.sluice.runner.admin;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.sluice.runner.config.SluiceConfig;
import io.sluice.runner.dashboard.Debugger;
import io.sluice.runner.dashboard.Throughput;
import io.sluice.runner.plugins.PluginRegistry;
import io.sluice.runner.routing.EventObserver;
import io.sluice.runner.routing.Pipeline;
import io.sluice.runner.secrets.SecretBox;
import java.time.Clock;
import java.util.List;

/**
 * The dashboard's part of the wiring: the stored changes applied on top of the configuration, the
 * observers the pipeline and the Tracking API tell (debugger and throughput), the admin service and
 * its server. Installed by {@code SluiceModule}; the admin server is only built when the dashboard
 * is enabled.
 */
public final class AdminModule extends AbstractModule {

    @Provides
    @Singleton
    Throughput throughput(Clock clock) {
        return new Throughput(clock);
    }

    @Provides
    @Singleton
    Debugger debugger(Clock clock) {
        return new Debugger(clock);
    }

    @Provides
    @Singleton
    EventObserver observer(SluiceConfig config, Debugger debugger, Throughput throughput) {
        // Without a dashboard nobody sees them: the ingest path then skips the observers entirely.
        return config.admin().enabled() ? EventObserver.all(List.of(debugger, throughput)) : EventObserver.NONE;
    }

    @Provides
    @Singleton
    SecretBox secretBox(SluiceConfig config) {
        return new SecretBox(config.admin().keys());
    }

    @Provides
    @Singleton
    AdminState adminState(SluiceConfig config, SecretBox box) {
        // The local file by default; PostgreSQL when several nodes share the dashboard's changes.
        AdminStore store = config.admin().store()
                .<AdminStore>map(address -> PostgresAdminStore.open(address, config.server().instanceId()))
                .orElseGet(() -> new FileAdminStore(config.admin().stateFile()));
        try {
            return AdminState.load(store, box);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    @Provides
    @Singleton
    AdminState.Applied applied(AdminState state, SluiceConfig config, PluginRegistry registry) {
        return state.apply(config, registry);
    }

    @Provides
    @Singleton
    DestinationAdmin destinationAdmin(SluiceConfig config, PluginRegistry registry,
                                      Pipeline pipeline, AdminState state, SecretBox box, Throughput throughput) {
        return new DestinationAdmin(config, registry, pipeline, state, box, throughput);
    }

    @Provides
    @Singleton
    AdminServer adminServer(SluiceConfig config, DestinationAdmin destinations, Debugger debugger, Clock clock,
                            AdminState state) {
        return new AdminServer(config.admin(), destinations, debugger, clock, state);
    }
}
