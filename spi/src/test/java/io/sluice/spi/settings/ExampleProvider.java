package io.sluice.spi.settings;

import io.sluice.spi.Destination;
import io.sluice.spi.DestinationProvider;
import io.sluice.spi.Outcome;
import io.sluice.spi.event.Event;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** A provider registered in this module's test META-INF/services, as a plugin would be. */
public final class ExampleProvider implements DestinationProvider {

    static final SettingsSchema SCHEMA = SettingsSchema.builder()
            .add(Setting.string("stream").description("Where events go."))
            .add(Setting.enumeration("encoding", "base64", "json").defaultValue("base64").description("Payload encoding."))
            .add(Setting.integer("batchSize").defaultValue(500).validator(Validators.between(1, 500)).description("Events per request."))
            .add(Setting.string("user").optional().description("User name."))
            .add(Setting.secret("password").optional().description("Password for user."))
            .add(Setting.uri("endpoint").optional().description("Endpoint override."))
            .add(Setting.arn("roleArn").optional().description("Role to assume."))
            .add(Setting.bool("verbose").defaultValue(false).description("Say more."))
            .crossCheck(s -> s.has("user") == s.has("password")
                    ? Optional.empty()
                    : Optional.of(new SettingError("password", "together", "user and password: give both or neither")))
            .build();

    @Override
    public String id() {
        return "example";
    }

    @Override
    public String integrationName() {
        return "Example";
    }

    @Override
    public SettingsSchema settingsSchema() {
        return SCHEMA;
    }

    @Override
    public Destination create(Settings settings) {
        return new Destination() {
            @Override
            public CompletionStage<List<Outcome>> deliver(List<Event> batch) {
                return CompletableFuture.completedFuture(Collections.nCopies(batch.size(), Outcome.delivered()));
            }

            @Override
            public void close() {}
        };
    }
}
