package io.sluice.core.spec;

import io.sluice.spi.settings.Secret;
import java.util.List;
import java.util.Optional;

/**
 * A request body split into calls.
 *
 * @param writeKey the {@code writeKey} found in the body, if any (it is removed from every call)
 * @param calls    the calls in order, not yet validated
 * @param errors   calls that are not even objects, by path
 */
public record ParsedRequest(Optional<String> writeKey, List<RawCall> calls, List<SpecError> errors) {

    /** The write key is as secret as a password, so it is masked here as everywhere it is shown. */
    @Override
    public String toString() {
        return "ParsedRequest[writeKey=" + writeKey.map(key -> Secret.MASK) + ", calls=" + calls + ", errors=" + errors + "]";
    }
}
