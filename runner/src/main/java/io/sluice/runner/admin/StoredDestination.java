package io.sluice.runner.admin;

import io.sluice.spi.settings.Secret;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A change made through the admin API to one destination, as kept in the state file. It is one of:
 * a whole definition (type and settings, for a destination added in the dashboard or a
 * configured one edited there), an on/off switch alone (a configured destination keeps its
 * settings from the file), or a removal of a configured destination.
 *
 * @param source   the source's name
 * @param name     the destination's name, unique across sources
 * @param type     the provider id; present with {@code settings}
 * @param enabled  on or off; empty: as configured (on)
 * @param settings setting values: plain values, {@link Secret}s (clear only in memory; encrypted
 *                 in the file) and {@link #FROM_CONFIG} for a secret still taken from the YAML file
 * @param removed  a configured destination the dashboard removed
 */
public record StoredDestination(String source, String name, Optional<String> type, Optional<Boolean> enabled,
                                Optional<Map<String, Object>> settings, boolean removed) {

    /** A secret setting whose value still comes from the configuration file (and its {@code ${env:}}). */
    public static final Object FROM_CONFIG = new Object() {
        @Override
        public String toString() {
            return "(from the configuration file)";
        }
    };

    public StoredDestination {
        settings = settings.map(s -> Collections.unmodifiableMap(new LinkedHashMap<>(s)));
    }

    static StoredDestination defined(String source, String name, String type, boolean enabled, Map<String, Object> settings) {
        return new StoredDestination(source, name, Optional.of(type), Optional.of(enabled), Optional.of(settings), false);
    }

    static StoredDestination switched(String source, String name, boolean enabled) {
        return new StoredDestination(source, name, Optional.empty(), Optional.of(enabled), Optional.empty(), false);
    }

    static StoredDestination removal(String source, String name) {
        return new StoredDestination(source, name, Optional.empty(), Optional.empty(), Optional.empty(), true);
    }

    StoredDestination withEnabled(boolean on) {
        return new StoredDestination(source, name, type, Optional.of(on), settings, removed);
    }

    @Override
    public String toString() {
        // Settings hold Secret objects, which print masked; spelled out so that stays true.
        return "StoredDestination[source=" + source + ", name=" + name + ", type=" + type.orElse("-")
                + ", enabled=" + enabled.map(String::valueOf).orElse("-") + ", settings="
                + settings.map(s -> s.keySet().toString()).orElse("-") + ", removed=" + removed + "]";
    }
}
