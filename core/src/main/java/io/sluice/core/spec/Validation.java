package io.sluice.core.spec;

import io.sluice.spi.event.EventType;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What {@link SpecValidator} found in one call. With no errors the call is valid, and the rest is
 * what the checks already read, handed to the {@link Normaliser} so it need not read it again.
 *
 * @param errors            every rule the call broke
 * @param type              the call's type, when it names one
 * @param timestamp         its {@code timestamp}, when valid
 * @param sentAt            its own {@code sentAt} (not the batch's), when valid
 * @param originalTimestamp its {@code originalTimestamp}, when valid
 */
public record Validation(List<SpecError> errors, Optional<EventType> type, Optional<Instant> timestamp,
                         Optional<Instant> sentAt, Optional<Instant> originalTimestamp) {}
