package io.sluice.webhook;

import io.sluice.spi.Destination;
import io.sluice.spi.DestinationContext;
import io.sluice.spi.DestinationProvider;
import io.sluice.spi.settings.Settings;
import io.sluice.spi.settings.SettingsSchema;

/**
 * Registers Segment's Webhooks destination under the id {@code webhook}. It has no reader: what a
 * webhook receives cannot be read back.
 */
public final class WebhookDestinationProvider implements DestinationProvider {

    public static final String ID = "webhook";
    public static final String INTEGRATION_NAME = "Webhooks";

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
        return "POSTs every call as JSON to up to five URLs, signed with a shared secret, as Segment's Webhooks destination does.";
    }

    @Override
    public SettingsSchema settingsSchema() {
        return WebhookSettings.SCHEMA;
    }

    @Override
    public Destination create(Settings settings) {
        return create(settings, DestinationContext.named(ID));
    }

    @Override
    public Destination create(Settings settings, DestinationContext context) {
        return new WebhookDestination(WebhookSettings.from(settings), context.logger());
    }
}
