package io.sluice.spi;

import io.sluice.spi.settings.Settings;
import io.sluice.spi.settings.SettingsSchema;

/**
 * The service a plugin registers in {@code META-INF/services/io.sluice.spi.DestinationProvider}.
 * Implementations need a public no-argument constructor and must be cheap to construct: Sluice
 * instantiates every provider it finds just to list them.
 */
public interface DestinationProvider {

    /** Stable, lower-case id used in configuration files, e.g. {@code kinesis}. Unique per runtime. */
    String id();

    /**
     * The destination's key in a Segment {@code integrations} object, e.g. {@code Amazon Kinesis}.
     * Matched case-sensitively, as Segment does.
     */
    String integrationName();

    /** One sentence for listings and the dashboard. */
    default String description() {
        return "";
    }

    /** The settings this destination accepts: validation, defaults and documentation in one place. */
    SettingsSchema settingsSchema();

    /**
     * Builds a destination from settings that {@link #settingsSchema()} has already validated and
     * completed with defaults. Throwing here is a configuration error: say which setting and why,
     * and never include a secret's value.
     */
    Destination create(Settings settings);
}
