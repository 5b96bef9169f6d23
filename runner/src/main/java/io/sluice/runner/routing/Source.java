package io.sluice.runner.routing;

import io.sluice.runner.config.AllowedOrigins;
import io.sluice.runner.config.WriteKey;
import java.util.List;
import java.util.Optional;

/**
 * A running source: its write key and its destinations' routes. {@code toString} masks the key.
 *
 * <p>The routes change at run time (the dashboard adds, rebuilds, switches off and removes
 * destinations): {@link #routes()} is an immutable snapshot, replaced as a whole by the
 * {@link Pipeline}, so a reader never sees a half-made change.
 */
public final class Source {

    private final String name;
    private final WriteKey writeKey;
    private final AllowedOrigins allowedOrigins;
    /** Every route, and the enabled ones, replaced together. */
    private volatile Table table;

    private record Table(List<Route> all, List<Route> enabled) {
        static Table of(List<Route> routes) {
            List<Route> all = List.copyOf(routes);
            return new Table(all, all.stream().filter(Route::enabled).toList());
        }
    }

    public Source(String name, WriteKey writeKey, List<Route> routes, AllowedOrigins allowedOrigins) {
        this.name = name;
        this.writeKey = writeKey;
        this.table = Table.of(routes);
        this.allowedOrigins = allowedOrigins;
    }

    public String name() {
        return name;
    }

    public WriteKey writeKey() {
        return writeKey;
    }

    /** The browser origins the source takes calls from. */
    public AllowedOrigins allowedOrigins() {
        return allowedOrigins;
    }

    /** Every destination of the source, switched on or off, at this moment. */
    public List<Route> routes() {
        return table.all();
    }

    /** The destinations new events may be routed to. */
    public List<Route> enabledRoutes() {
        return table.enabled();
    }

    public Optional<Route> route(String routeName) {
        for (Route route : table.all()) {
            if (route.name().equals(routeName)) {
                return Optional.of(route);
            }
        }
        return Optional.empty();
    }

    /** Only the pipeline changes routes, one change at a time. */
    void routes(List<Route> replacement) {
        this.table = Table.of(replacement);
    }

    @Override
    public String toString() {
        return "Source[name=" + name + ", writeKey=" + writeKey + ", routes=" + table.all()
                + ", allowedOrigins=" + allowedOrigins + "]";
    }
}
