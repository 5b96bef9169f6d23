package io.sluice.core.intake;

import io.sluice.spi.settings.Secret;
import java.util.List;
import java.util.Optional;

/**
 * What one request yielded.
 *
 * @param writeKey the write key found in the body, if any
 * @param accepted valid calls, normalised, in request order
 * @param rejected calls that broke the Spec, with every error of each
 */
public record IntakeResult(Optional<String> writeKey, List<AcceptedEvent> accepted, List<RejectedCall> rejected) {

    /** The write key is as secret as a password, so it is masked here as everywhere it is shown. */
    @Override
    public String toString() {
        return "IntakeResult[writeKey=" + writeKey.map(key -> Secret.MASK) + ", accepted=" + accepted
                + ", rejected=" + rejected + "]";
    }
}
