package io.sluice.core.intake;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.spec.SpecError;
import java.util.List;

/**
 * A call that broke the Spec.
 *
 * @param path   where it stood in the request, e.g. {@code $.batch[3]}
 * @param call   the call as received (without its write key); null when it was not an object
 * @param errors every rule it broke
 */
public record RejectedCall(String path, JsonNode call, List<SpecError> errors) {}
