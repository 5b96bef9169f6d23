package io.sluice.runner.plugins;

import io.sluice.spi.DestinationProvider;

/**
 * A discovered destination provider and where it came from.
 *
 * @param provider the provider instance
 * @param origin   {@code built-in} for providers on Sluice's own class path, else the plugin's jar or folder
 * @param loader   the class loader the plugin's classes come from (its own, or Sluice's for built-ins)
 */
public record Plugin(DestinationProvider provider, String origin, ClassLoader loader) {

    public static final String BUILT_IN = "built-in";

    public String id() {
        return provider.id();
    }

    /** Names the provider for error messages: its origin and class. */
    public String describe() {
        return origin + " (" + provider.getClass().getName() + ")";
    }
}
