package io.sluice.core.spec;

/** A request that cannot be read at all: not JSON, not an object, too large. Answered with a 400. */
public final class RequestException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient SpecError error;

    public RequestException(SpecError error) {
        super(error.toString(), null, false, false);
        this.error = error;
    }

    public SpecError error() {
        return error;
    }
}
