package io.sluice.runner.config;

import io.sluice.core.delivery.DeliveryPolicy;
import io.sluice.core.spool.SpoolPolicy;
import io.sluice.spi.settings.Settings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A validated configuration. Made by {@link ConfigLoader}; every field is checked and every
 * destination's settings are typed by its provider's schema. {@code toString} shows no secret:
 * write keys and secret settings print masked.
 *
 * @param server     where the HTTP Tracking API listens
 * @param deadLetter the NDJSON file that keeps calls and events Sluice could not deliver
 * @param spool      where accepted events wait on disk until every destination is done with them
 * @param sources    the write keys and where their events go, in file order
 */
public record SluiceConfig(Server server, Path deadLetter, Spool spool, List<Source> sources) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8088;
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);
    public static final Path DEFAULT_DEAD_LETTER = Path.of("sluice-data", "dead-letter.ndjson");
    public static final Path DEFAULT_SPOOL = Path.of("sluice-data", "spool.db");

    public SluiceConfig {
        sources = List.copyOf(sources);
    }

    /** The same configuration listening on {@code port} (the {@code --port} override). */
    public SluiceConfig withPort(int port) {
        return new SluiceConfig(new Server(server.host(), port, server.shutdownTimeout()), deadLetter, spool, sources);
    }

    /** The same configuration without a spool: for {@code sluice send}, which waits for delivery itself. */
    public SluiceConfig withoutSpool() {
        return new SluiceConfig(server, deadLetter, new Spool(false, spool.path(), spool.policy()), sources);
    }

    /**
     * @param host            the address to bind; 127.0.0.1 unless the operator opens it up
     * @param port            the port; 0 picks a free one
     * @param shutdownTimeout how long a graceful shutdown waits for destinations to drain
     */
    public record Server(String host, int port, Duration shutdownTimeout) {}

    /**
     * @param enabled whether accepted events are written to disk before the answer
     * @param path    the SQLite file
     * @param policy  its size bound and fsync policy
     */
    public record Spool(boolean enabled, Path path, SpoolPolicy policy) {}

    /** A write key and the destinations its events go to. */
    public record Source(String name, WriteKey writeKey, List<Destination> destinations) {
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
