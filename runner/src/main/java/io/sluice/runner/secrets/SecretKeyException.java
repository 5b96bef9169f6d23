package io.sluice.runner.secrets;

/** A secret cannot be sealed or opened: no key, a key that does not match, or a damaged envelope. The message holds no secret. */
public final class SecretKeyException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public SecretKeyException(String message) {
        super(message);
    }

    public SecretKeyException(String message, Throwable cause) {
        super(message, cause);
    }
}
