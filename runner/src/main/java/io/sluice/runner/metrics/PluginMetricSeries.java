package io.sluice.runner.metrics;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.sluice.spi.metrics.PluginMetrics;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Plugins' own metrics, exported as {@code sluice_plugin_<name>} with a {@code destination} label:
 * one series family per name, shared by every instance that publishes it.
 */
final class PluginMetricSeries {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,99}");
    private static final double[] DEFAULT_BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

    private final PrometheusRegistry registry;
    private final Map<String, Object> families = new ConcurrentHashMap<>();

    PluginMetricSeries(PrometheusRegistry registry) {
        this.registry = registry;
    }

    PluginMetrics forDestination(String destination) {
        return new PluginMetrics() {
            @Override
            public PluginMetrics.Counter counter(String name, String help) {
                io.prometheus.metrics.core.metrics.Counter family = family(name, help,
                        io.prometheus.metrics.core.metrics.Counter.class,
                        () -> io.prometheus.metrics.core.metrics.Counter.builder().name("sluice_plugin_" + name)
                                .help(help).labelNames("destination").register(registry));
                var series = family.labelValues(destination);
                return amount -> {
                    if (amount < 0) {
                        throw new IllegalArgumentException("a counter only goes up; " + name + " got " + amount);
                    }
                    series.inc(amount);
                };
            }

            @Override
            public PluginMetrics.Histogram histogram(String name, String help, double... buckets) {
                io.prometheus.metrics.core.metrics.Histogram family = family(name, help,
                        io.prometheus.metrics.core.metrics.Histogram.class,
                        () -> io.prometheus.metrics.core.metrics.Histogram.builder().name("sluice_plugin_" + name).help(help)
                                .labelNames("destination").classicOnly()
                                .classicUpperBounds(buckets.length == 0 ? DEFAULT_BUCKETS : buckets).register(registry));
                var series = family.labelValues(destination);
                return series::observe;
            }
        };
    }

    private <T> T family(String name, String help, Class<T> kind, java.util.function.Supplier<T> create) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("plugin metric name " + name + " must be snake_case: [a-z][a-z0-9_]*");
        }
        if (help == null || help.isBlank()) {
            throw new IllegalArgumentException("plugin metric " + name + " needs a help text");
        }
        Object family = families.computeIfAbsent(name, n -> create.get());
        if (!kind.isInstance(family)) {
            throw new IllegalArgumentException("plugin metric " + name + " is already a " + family.getClass().getSimpleName());
        }
        return kind.cast(family);
    }
}
