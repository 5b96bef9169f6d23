package io.sluice.runner.routing;

import io.sluice.runner.config.WriteKey;
import java.util.List;

/** A running source: its write key and its destinations' routes. {@code toString} masks the key. */
public record Source(String name, WriteKey writeKey, List<Route> routes) {
    public Source {
        routes = List.copyOf(routes);
    }
}
