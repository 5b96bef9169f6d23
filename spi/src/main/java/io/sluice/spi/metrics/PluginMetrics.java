package io.sluice.spi.metrics;

/**
 * Where a plugin publishes its own metrics. Sluice exports each one on {@code /metrics} as
 * {@code sluice_plugin_<name>} with a {@code destination} label naming the instance, so names need
 * no instance part. Asking twice for the same name returns the same metric.
 *
 * <p>Names are snake_case ({@code [a-z][a-z0-9_]*}); a counter's name should end in {@code _total}
 * and a histogram's in its unit, e.g. {@code _seconds} or {@code _bytes}.
 */
public interface PluginMetrics {

    /** Metrics that go nowhere: what a destination gets when nothing exports them. */
    PluginMetrics NONE = new PluginMetrics() {
        @Override
        public Counter counter(String name, String help) {
            return amount -> {};
        }

        @Override
        public Histogram histogram(String name, String help, double... buckets) {
            return value -> {};
        }
    };

    /** A count that only goes up, e.g. {@code throttled_requests_total}. */
    Counter counter(String name, String help);

    /**
     * A distribution, e.g. {@code request_seconds}.
     *
     * @param buckets upper bounds, ascending; none for Sluice's default latency buckets (seconds)
     */
    Histogram histogram(String name, String help, double... buckets);

    /** A count that only goes up. */
    @FunctionalInterface
    interface Counter {
        /** Adds {@code amount}, which must not be negative. */
        void increment(long amount);

        default void increment() {
            increment(1);
        }
    }

    /** A distribution of observed values. */
    @FunctionalInterface
    interface Histogram {
        void observe(double value);
    }
}
