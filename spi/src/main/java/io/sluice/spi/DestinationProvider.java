package io.sluice.spi;

import io.sluice.spi.read.ArrivalReader;
import io.sluice.spi.read.ReadFrom;
import io.sluice.spi.settings.Settings;
import io.sluice.spi.settings.SettingsSchema;
import java.util.Optional;

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

    /**
     * Builds a destination, knowing which instance it is. Sluice always calls this one; the
     * default ignores the context and calls {@link #create(Settings)}. Override it to log under the
     * instance's name or publish metrics, and let {@link #create(Settings)} call it with
     * {@link DestinationContext#named}.
     *
     * @since 0.2.0
     */
    default Destination create(Settings settings, DestinationContext context) {
        return create(settings);
    }

    /**
     * A reader of what arrived at the target these settings write to, when the destination can
     * read its target back (Kinesis reads its stream; a webhook cannot). {@code sluice tail} follows
     * it, and {@code sluice conformance} runs its read-back checks with it. Empty by default.
     *
     * @param settings validated settings, as for {@link #create(Settings)}
     * @param from     where to start reading
     * @since 0.2.0
     */
    default Optional<ArrivalReader> reader(Settings settings, ReadFrom from) {
        return Optional.empty();
    }
}
