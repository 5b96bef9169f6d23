package io.sluice.core.spec;

/**
 * One broken Spec rule.
 *
 * @param code    the stable rule code
 * @param path    where, as a JSON path into the request body, e.g. {@code $.batch[2].properties}
 * @param message a sentence naming the field and the rule
 */
public record SpecError(ErrorCode code, String path, String message) {

    @Override
    public String toString() {
        return code.code() + " at " + path + ": " + message;
    }
}
