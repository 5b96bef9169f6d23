package io.sluice.runner.config;

import io.sluice.core.delivery.DeliveryPolicy;
import io.sluice.core.spool.SpoolPolicy;
import io.sluice.runner.secrets.SecretKeys;
import io.sluice.spi.settings.Settings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A validated configuration. Made by {@link ConfigLoader}; every field is checked and every
 * destination's settings are typed by its provider's schema. {@code toString} shows no secret:
 * write keys and secret settings print masked.
 *
 * @param server     where the HTTP Tracking API listens
 * @param deadLetter the NDJSON file that keeps calls and events Sluice could not deliver
 * @param spool      where accepted events wait on disk until every destination is done with them
 * @param sources    the write keys and where their events go, in file order
 * @param delivery   the delivery defaults, for destinations added later through the dashboard
 * @param admin      the dashboard and its admin API
 */
public record SluiceConfig(Server server, Path deadLetter, Spool spool, List<Source> sources, DeliveryPolicy delivery,
                           Admin admin) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8088;
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);
    public static final Path DEFAULT_DEAD_LETTER = Path.of("sluice-data", "dead-letter.ndjson");
    public static final Path DEFAULT_SPOOL = Path.of("sluice-data", "spool.db");

    public SluiceConfig {
        sources = List.copyOf(sources);
    }

    /** The same configuration with other sources (the dashboard's changes applied on top of the file). */
    public SluiceConfig withSources(List<Source> replacement) {
        return new SluiceConfig(server, deadLetter, spool, replacement, delivery, admin);
    }

    /** The same configuration listening on {@code port} (the {@code --port} override). */
    public SluiceConfig withPort(int port) {
        return new SluiceConfig(new Server(server.host(), port, server.shutdownTimeout(), server.publicUrl(), server.instanceId()),
                deadLetter, spool, sources, delivery, admin);
    }

    /** The same configuration without a spool: for {@code sluice send}, which waits for delivery itself. */
    public SluiceConfig withoutSpool() {
        return new SluiceConfig(server, deadLetter, new Spool(false, spool.path(), spool.policy()), sources,
                delivery, admin);
    }

    /**
     * @param host            the address to bind; 127.0.0.1 unless the operator opens it up
     * @param port            the port; 0 picks a free one
     * @param shutdownTimeout how long a graceful shutdown waits for destinations to drain
     * @param publicUrl       where clients reach Sluice (behind a proxy, say), for the settings
     *                        document's {@code apiHost}; empty: the request's own scheme and Host
     * @param instanceId      this node's name in /health, the dashboard and /metrics ({@code server.instanceId},
     *                        else {@code SLUICE_INSTANCE_ID}, else the host name)
     */
    public record Server(String host, int port, Duration shutdownTimeout, Optional<URI> publicUrl, String instanceId) {
    }

    /**
     * @param enabled whether accepted events are written to disk before the answer
     * @param path    the SQLite file
     * @param policy  its size bound and fsync policy
     */
    public record Spool(boolean enabled, Path path, SpoolPolicy policy) {}

    /**
     * The dashboard and its admin API (see the README's "Dashboard and admin API").
     *
     * @param enabled        whether the admin server runs: by default, when a token is set
     * @param host           the address it binds; 127.0.0.1 unless opened up
     * @param port           its port; 0 picks a free one
     * @param token          the admin credential ({@code SLUICE_ADMIN_TOKEN}); without it there is no dashboard
     * @param stateFile      where changes made through the admin API are kept
     * @param keys           encrypt the secret settings in the state file
     * @param sessionTimeout how long a dashboard login lasts
     * @param rebuildTimeout how long a replaced or removed destination may finish what it holds
     * @param store          the shared PostgreSQL store several nodes use instead of {@code stateFile}
     */
    public record Admin(boolean enabled, String host, int port, Optional<AdminToken> token, Path stateFile,
                        SecretKeys keys, Duration sessionTimeout, Duration rebuildTimeout, Optional<AdminStoreAddress> store) {

        public static final int DEFAULT_PORT = 8089;
        public static final Path DEFAULT_STATE_FILE = Path.of("sluice-data", "admin-state.json");
        public static final Duration DEFAULT_SESSION_TIMEOUT = Duration.ofHours(8);
        public static final Duration DEFAULT_REBUILD_TIMEOUT = Duration.ofSeconds(5);

        /** No dashboard; changes stored earlier in the default state file still apply. */
        public static Admin disabled() {
            return new Admin(false, DEFAULT_HOST, DEFAULT_PORT, Optional.empty(), DEFAULT_STATE_FILE, SecretKeys.none(),
                    DEFAULT_SESSION_TIMEOUT, DEFAULT_REBUILD_TIMEOUT, Optional.empty());
        }
    }

    /** A write key, the destinations its events go to, and the browser origins it takes calls from. */
    public record Source(String name, WriteKey writeKey, List<Destination> destinations, AllowedOrigins allowedOrigins) {
        public Source {
            destinations = List.copyOf(destinations);
        }
    }

    /**
     * One destination instance.
     *
     * @param name     unique across the configuration: {@code <source>/<type>} unless named
     * @param type     the provider id, e.g. {@code kinesis}
     * @param settings validated by the provider's schema, defaults filled in
     * @param delivery buffering and batching for its engine
     */
    public record Destination(String name, String type, Settings settings, DeliveryPolicy delivery) {}
}
