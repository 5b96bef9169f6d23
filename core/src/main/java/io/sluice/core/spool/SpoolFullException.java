package io.sluice.core.spool;

/**
 * An append failed because the disk holding the spool is full (SQLite's {@code SQLITE_FULL}): as
 * for {@link SpoolPolicy#maxBytes()}, the request is refused and may be sent again later.
 */
public final class SpoolFullException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    public SpoolFullException(String message, Throwable cause) {
        super(message, cause);
    }
}
