package ${package};

import io.sluice.spi.Destination;
import io.sluice.spi.DestinationContext;
import io.sluice.spi.DestinationProvider;
import io.sluice.spi.settings.Setting;
import io.sluice.spi.settings.Settings;
import io.sluice.spi.settings.SettingsSchema;
import io.sluice.spi.settings.Validators;

/**
 * The plugin's entry point, listed in META-INF/services/io.sluice.spi.DestinationProvider. It posts
 * each batch of events to an HTTP endpoint as newline-delimited JSON: rename it, change the
 * settings below and the mapping in {@link WebhookDestination}.
 */
public final class WebhookDestinationProvider implements DestinationProvider {

    /** Declared once: validation, defaults, documentation and the dashboard's form. */
    static final SettingsSchema SCHEMA = SettingsSchema.builder()
            .add(Setting.uri("url").required().label("Endpoint URL").group("Connection")
                    .description("Where each batch is POSTed as newline-delimited JSON, e.g. https://hooks.example.com/events."))
            .add(Setting.secret("apiKey").required().label("API key").group("Connection")
                    .description("Sent as the bearer token of every request. Never shown or logged."))
            .add(Setting.map("headers").sensitive().optional().label("Extra headers").group("Connection")
                    .description("More HTTP headers for every request; their values are kept secret."))
            .add(Setting.integer("timeoutSeconds").defaultValue(30).validator(Validators.between(1, 300))
                    .label("Request timeout (seconds)").group("Delivery")
                    .description("How long one request may take before its events are retried."))
            .build();

    @Override
    public String id() {
        return "ndjson-webhook";
    }

    @Override
    public String integrationName() {
        return "NDJSON Webhook";
    }

    @Override
    public String description() {
        return "Posts events to an HTTP endpoint as newline-delimited JSON.";
    }

    @Override
    public SettingsSchema settingsSchema() {
        return SCHEMA;
    }

    @Override
    public Destination create(Settings settings) {
        return create(settings, DestinationContext.named(id()));
    }

    @Override
    public Destination create(Settings settings, DestinationContext context) {
        return new WebhookDestination(settings, context);
    }
}
