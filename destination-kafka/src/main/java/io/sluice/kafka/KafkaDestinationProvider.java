package io.sluice.kafka;

import io.sluice.spi.Destination;
import io.sluice.spi.DestinationContext;
import io.sluice.spi.DestinationProvider;
import io.sluice.spi.read.ArrivalReader;
import io.sluice.spi.read.ReadFrom;
import io.sluice.spi.settings.Settings;
import io.sluice.spi.settings.SettingsSchema;
import java.util.Optional;

/** Registers the Apache Kafka destination under the id {@code kafka}. */
public final class KafkaDestinationProvider implements DestinationProvider {

    public static final String ID = "kafka";
    public static final String INTEGRATION_NAME = "Kafka";

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
        return "Writes every event as one JSON record to an Apache Kafka topic (idempotent producer, acks=all).";
    }

    @Override
    public SettingsSchema settingsSchema() {
        return KafkaSettings.SCHEMA;
    }

    @Override
    public Destination create(Settings settings) {
        return create(settings, DestinationContext.named(ID));
    }

    /** Builds the producer, which connects lazily: the first delivery reaches the brokers. */
    @Override
    public Destination create(Settings settings, DestinationContext context) {
        KafkaSettings kafka = KafkaSettings.from(settings);
        return new KafkaDestination(kafka, KafkaClients.producer(kafka), context.logger(), context.instanceName());
    }

    /** A consumer of the topic, with the destination's brokers and credentials. */
    @Override
    public Optional<ArrivalReader> reader(Settings settings, ReadFrom from) {
        return Optional.of(KafkaReader.open(KafkaSettings.from(settings), from));
    }
}
