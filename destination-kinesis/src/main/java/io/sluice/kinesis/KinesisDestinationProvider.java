package io.sluice.kinesis;

import io.sluice.spi.Destination;
import io.sluice.spi.DestinationContext;
import io.sluice.spi.DestinationProvider;
import io.sluice.spi.read.ArrivalReader;
import io.sluice.spi.read.ReadFrom;
import io.sluice.spi.settings.Settings;
import io.sluice.spi.settings.SettingsSchema;
import java.util.Optional;

/** Registers the Amazon Kinesis destination under the id {@code kinesis}. */
public final class KinesisDestinationProvider implements DestinationProvider {

    public static final String ID = "kinesis";
    public static final String INTEGRATION_NAME = "Amazon Kinesis";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String integrationName() {
        return INTEGRATION_NAME;
    }

    @Override
    public String description() {
        return "Writes every event as a JSON record to an Amazon Kinesis data stream, as Segment's integration does.";
    }

    @Override
    public SettingsSchema settingsSchema() {
        return KinesisSettings.SCHEMA;
    }

    /** Builds the client only; {@link Destination#open()} makes the first call. */
    @Override
    public Destination create(Settings settings) {
        return create(settings, DestinationContext.named(ID));
    }

    /** As {@link #create(Settings)}, publishing its refused-records count through the context. */
    @Override
    public Destination create(Settings settings, DestinationContext context) {
        KinesisSettings kinesis = KinesisSettings.from(settings);
        return new KinesisDestination(kinesis, KinesisClients.create(kinesis), context.metrics());
    }

    /** Reads every shard of the stream, with the same credentials and endpoint the destination writes with. */
    @Override
    public Optional<ArrivalReader> reader(Settings settings, ReadFrom from) {
        return Optional.of(KinesisReader.open(KinesisSettings.from(settings), from));
    }
}
