package io.sluice.core.intake;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What one request yielded.
 *
 * @param writeKey   the write key found in the body, if any
 * @param receivedAt when the request was read; every event of it carries this {@code receivedAt}
 * @param accepted   valid calls, normalised, in request order
 * @param rejected   calls that broke the Spec, with every error of each
 */
public record IntakeResult(Optional<String> writeKey, Instant receivedAt,
                           List<AcceptedEvent> accepted, List<RejectedCall> rejected) {}
