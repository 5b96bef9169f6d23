package io.sluice.runner.plugins;

import io.sluice.spi.Destination;
import io.sluice.spi.DestinationContext;
import io.sluice.spi.metrics.PluginMetrics;
import io.sluice.spi.settings.Settings;
import java.util.function.Function;

/**
 * Creates and opens a destination instance the one way every command does: with a
 * {@link DestinationContext} (its name, a logger named after it, its metrics), the plugin's class
 * loader as the thread's context loader, and every message the plugin gives for a failure shown to
 * the operator with the instance's secret values blanked out.
 */
public final class DestinationStarter {

    private final Function<String, PluginMetrics> metrics;

    /** @param metrics where an instance, by name, publishes its plugin's metrics */
    public DestinationStarter(Function<String, PluginMetrics> metrics) {
        this.metrics = metrics;
    }

    /** For commands that export no metrics. */
    public static DestinationStarter withoutMetrics() {
        return new DestinationStarter(name -> PluginMetrics.NONE);
    }

    /**
     * Creates and opens {@code name}, a {@code plugin} destination with {@code settings}.
     *
     * @throws IllegalArgumentException naming the instance, the type, what the plugin said (redacted)
     *                                  and where the plugin came from; what was created is closed
     */
    public Destination start(Plugin plugin, String name, Settings settings) {
        Redactor redactor = Redactor.of(settings);
        DestinationContext context = new Context(name, metrics.apply(name));
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(plugin.loader());
        try {
            Destination created;
            try {
                created = plugin.provider().create(settings, context);
            } catch (RuntimeException | LinkageError e) {
                throw failure(name, plugin, "created", e, redactor);
            }
            if (created == null) {
                throw new IllegalArgumentException(name + ": the " + plugin.id() + " destination cannot be created: "
                        + "the provider returned no destination (from " + plugin.describe() + ")");
            }
            Destination destination = redactor.isEmpty() ? created : new RedactingDestination(created, redactor);
            try {
                destination.open();
            } catch (RuntimeException | LinkageError e) {
                closeQuietly(destination);
                throw failure(name, plugin, "opened", e, redactor);
            }
            return destination;
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private static IllegalArgumentException failure(String name, Plugin plugin, String step, Throwable e, Redactor redactor) {
        return new IllegalArgumentException(name + ": the " + plugin.id() + " destination cannot be " + step + ": "
                + redactor.describe(e) + " (" + e.getClass().getName() + ", from " + plugin.describe() + ")");
    }

    private static void closeQuietly(Destination destination) {
        try {
            destination.close();
        } catch (RuntimeException ignored) {
            // the open failure is what the operator needs to see
        }
    }

    private record Context(String instanceName, PluginMetrics metrics) implements DestinationContext {}
}
