/**
 * The contract between Sluice and a destination plugin.
 *
 * <p>A plugin is a jar with one {@link io.sluice.spi.DestinationProvider} listed in
 * {@code META-INF/services/io.sluice.spi.DestinationProvider}. The provider declares its settings
 * once ({@link io.sluice.spi.settings.SettingsSchema}) and builds a {@link io.sluice.spi.Destination}
 * from validated {@link io.sluice.spi.settings.Settings}. Sluice owns buffering, batching, retries,
 * backoff and rate control; a destination turns one batch of {@link io.sluice.spi.event.Event}s
 * into one request and reports one {@link io.sluice.spi.Outcome} per event.
 *
 * <p>This module depends on nothing but the JDK.
 */
package io.sluice.spi;
