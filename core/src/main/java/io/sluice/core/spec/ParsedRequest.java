package io.sluice.core.spec;

import java.util.List;
import java.util.Optional;

/**
 * A request body split into calls.
 *
 * @param writeKey the {@code writeKey} found in the body, if any (it is removed from every call)
 * @param calls    the calls in order, not yet validated
 * @param errors   calls that are not even objects, by path
 */
public record ParsedRequest(Optional<String> writeKey, List<RawCall> calls, List<SpecError> errors) {}
