package io.sluice.core.intake;

import io.sluice.core.routing.Integrations;
import io.sluice.spi.event.Event;

/** A valid, normalised event and the destinations its {@code integrations} object allows. */
public record AcceptedEvent(Event event, Integrations integrations) {}
