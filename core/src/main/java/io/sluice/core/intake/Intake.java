package io.sluice.core.intake;

import io.sluice.core.routing.Integrations;
import io.sluice.core.spec.Normaliser;
import io.sluice.core.spec.ParsedRequest;
import io.sluice.core.spec.RawCall;
import io.sluice.core.spec.RequestException;
import io.sluice.core.spec.SpecError;
import io.sluice.core.spec.SpecParser;
import io.sluice.core.spec.SpecValidator;
import io.sluice.core.spec.Timestamps;
import io.sluice.core.spec.Validation;
import io.sluice.spi.event.EventType;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A request body's way from bytes to routed events: parse, validate, normalise, read the
 * {@code integrations} object. Thread-safe; one instance serves every request.
 */
public final class Intake {

    private final Clock clock;
    private final SpecParser parser = new SpecParser();
    private final SpecValidator validator = new SpecValidator();
    private final Normaliser normaliser = new Normaliser();

    public Intake(Clock clock) {
        this.clock = clock;
    }

    /** A single call posted to {@code /v1/<type>}. */
    public IntakeResult readCall(byte[] body, EventType type) throws RequestException {
        return process(parser.parseCall(body, type));
    }

    /** A {@code /v1/batch} (or {@code /v1/import}) body. */
    public IntakeResult readBatch(byte[] body) throws RequestException {
        return process(parser.parseBatch(body));
    }

    private IntakeResult process(ParsedRequest request) {
        Instant receivedAt = clock.instant();
        String receivedAtText = Timestamps.format(receivedAt);
        List<AcceptedEvent> accepted = new ArrayList<>(request.calls().size());
        List<RejectedCall> rejected = new ArrayList<>(0);
        for (SpecError error : request.errors()) {
            rejected.add(new RejectedCall(error.path(), null, List.of(error)));
        }
        for (RawCall call : request.calls()) {
            Validation validation = validator.validate(call);
            if (validation.errors().isEmpty()) {
                Integrations integrations = Integrations.of(call.call().get("integrations"));
                accepted.add(new AcceptedEvent(normaliser.normalise(call, validation, receivedAt, receivedAtText), integrations));
            } else {
                rejected.add(new RejectedCall(call.path(), call.node(), validation.errors()));
            }
        }
        return new IntakeResult(request.writeKey(), accepted, rejected);
    }
}
