package io.sluice.spi;

import io.sluice.spi.metrics.PluginMetrics;
import java.util.Objects;

/**
 * What Sluice tells a destination about the instance it is creating: its name, a logger named
 * after it, and where to publish the plugin's own metrics. Handed to
 * {@link DestinationProvider#create(io.sluice.spi.settings.Settings, DestinationContext)}.
 */
public interface DestinationContext {

    /** The instance's name in the configuration, e.g. {@code orders-stream}; unique per source. */
    String instanceName();

    /**
     * A logger named {@code sluice.destination.<instanceName>}. Log state changes, not events: the
     * delivery path must not write a line per event.
     */
    default System.Logger logger() {
        return System.getLogger("sluice.destination." + instanceName());
    }

    /** The plugin's own counters and histograms, exported on {@code /metrics} with this instance's label. */
    default PluginMetrics metrics() {
        return PluginMetrics.NONE;
    }

    /** A context with a name and nothing else wired: for tests and tools that create a destination alone. */
    static DestinationContext named(String instanceName) {
        Objects.requireNonNull(instanceName, "instanceName");
        return () -> instanceName;
    }
}
