package io.sluice.runner.server;

import com.google.inject.ConfigurationException;
import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.ProvisionException;
import io.sluice.runner.admin.AdminServer;
import io.sluice.runner.admin.AdminState;
import io.sluice.runner.admin.DestinationAdmin;
import io.sluice.runner.config.SluiceConfig;
import io.sluice.runner.deadletter.DeadLetterFile;
import io.sluice.runner.http.TrackingServer;
import io.sluice.runner.plugins.PluginRegistry;
import io.sluice.runner.routing.Pipeline;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Sluice: the HTTP server in front of the pipeline. {@link #shutdown()} is graceful and
 * idempotent: stop accepting (503), drain the engines within the configured timeout, dead-letter
 * what is left, stop the server.
 */
public final class SluiceServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SluiceServer.class);

    private final SluiceConfig config;
    private final TrackingServer http;
    private final Pipeline pipeline;
    private final DeadLetterFile deadLetters;
    private final Optional<AdminServer> admin;
    private final DestinationAdmin destinations;
    private final AdminState state;
    private boolean stopped;

    private SluiceServer(SluiceConfig config, TrackingServer http, Pipeline pipeline, DeadLetterFile deadLetters,
                         Optional<AdminServer> admin, DestinationAdmin destinations, AdminState state) {
        this.config = config;
        this.http = http;
        this.pipeline = pipeline;
        this.deadLetters = deadLetters;
        this.admin = admin;
        this.destinations = destinations;
        this.state = state;
    }

    /**
     * Builds everything and starts listening.
     *
     * @throws IllegalArgumentException when a destination cannot be created from its settings
     */
    public static SluiceServer start(SluiceConfig config, PluginRegistry registry, Clock clock) {
        Injector injector = injector(new SluiceModule(config, registry, clock));
        DeadLetterFile deadLetters = instance(injector, DeadLetterFile.class);
        Pipeline pipeline = null;
        SluiceServer server;
        try {
            pipeline = instance(injector, Pipeline.class);
            server = new SluiceServer(config, instance(injector, TrackingServer.class), pipeline, deadLetters,
                    config.admin().enabled() ? Optional.of(instance(injector, AdminServer.class)) : Optional.empty(),
                    instance(injector, DestinationAdmin.class), instance(injector, AdminState.class));
        } catch (RuntimeException e) {
            // What was built before the failure holds files and threads (the spool, destinations, the store).
            if (pipeline != null) {
                pipeline.close();
                instance(injector, AdminState.class).close();
            }
            deadLetters.close();
            throw e;
        }
        try {
            server.http.start();
            server.admin.ifPresent(AdminServer::start);
            server.destinations.watchStore(); // other nodes' changes, from now on
        } catch (RuntimeException e) {
            server.admin.ifPresent(AdminServer::close);
            server.http.close();
            server.pipeline.close();
            server.state.close();
            server.deadLetters.close();
            throw e;
        }
        LOG.info("listening on {} with {} source(s) and {} destination(s)", server.http.baseUrl(),
                server.pipeline.sources().size(), server.pipeline.routes().size());
        return server;
    }

    /** Creates an injector, turning Guice's wrapping of a provider's exception back into that exception. */
    public static Injector injector(SluiceModule module) {
        try {
            return Guice.createInjector(module);
        } catch (CreationException | ConfigurationException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** Gets an instance, unwrapping a provider's exception from Guice's {@link ProvisionException}. */
    public static <T> T instance(Injector injector, Class<T> type) {
        try {
            return injector.getInstance(type);
        } catch (ProvisionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw e;
        }
    }

    public int port() {
        return http.port();
    }

    public String baseUrl() {
        return http.baseUrl();
    }

    public Pipeline pipeline() {
        return pipeline;
    }

    /** The dashboard's address, when it is enabled. */
    public Optional<String> adminBaseUrl() {
        return admin.map(AdminServer::baseUrl);
    }

    /** This node's name ({@code server.instanceId}). */
    public String instanceId() {
        return config.server().instanceId();
    }

    /**
     * Applies a re-read configuration file (SIGHUP) the way a dashboard edit is applied: destinations
     * added, rebuilt, switched or removed, the rest left running.
     *
     * @return the sections that changed but take a restart
     */
    public List<String> reload(SluiceConfig file) {
        return destinations.reload(file);
    }

    public synchronized void shutdown() {
        if (stopped) {
            return;
        }
        stopped = true;
        Duration timeout = config.server().shutdownTimeout();
        LOG.info("shutting down: no new events; draining destinations for up to {}", timeout);
        http.stopAccepting();
        admin.ifPresent(AdminServer::close); // no destination changes while draining
        state.close(); // nor other nodes' changes
        int left = pipeline.drain(timeout);
        http.close();
        deadLetters.close();
        LOG.info("stopped; {} undelivered event(s) written to {}", left, deadLetters.path());
    }

    @Override
    public void close() {
        shutdown();
    }
}
