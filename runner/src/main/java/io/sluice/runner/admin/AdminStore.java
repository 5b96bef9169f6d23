package io.sluice.runner.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * Where {@link AdminState} keeps the dashboard's changes, one JSON entry per destination (secrets
 * already sealed): the local file ({@link FileAdminStore}, the default) or PostgreSQL, shared by
 * several nodes ({@link PostgresAdminStore}). Every write raises the store's revision; an entry's
 * version is the revision that last wrote it, so a version never comes back after a removal.
 */
interface AdminStore extends AutoCloseable {

    /** One stored entry. */
    record Row(String name, long version, ObjectNode entry) {}

    /** Everything stored, as of {@code revision}. */
    record Snapshot(long revision, List<Row> rows) {}

    /** The entry's version was not {@code expected}: someone else changed it first. */
    final class StaleVersionException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StaleVersionException(String name) {
            super(name + " was changed by someone else", null, false, false);
        }
    }

    /** Every entry, or empty when the revision is still {@code knownRevision}. */
    Optional<Snapshot> readIfNewer(long knownRevision);

    /**
     * Writes one destination's entry (or deletes it, {@code entry} empty), if its stored version is
     * {@code expectedVersion} (0: not stored); any version when {@code expectedVersion} is negative.
     *
     * @return the new revision, which is the entry's new version
     * @throws StaleVersionException when the stored version is another
     * @throws AdminException        503 {@code store_unavailable} when the store cannot be reached
     */
    long write(String name, Optional<ObjectNode> entry, long expectedVersion);

    /** Sessions, shared by every node that shares this store. */
    SessionStore sessions();

    /** Calls {@code changed} with the new revision when another node may have written. */
    default void watch(LongConsumer changed) {
    }

    /** Why the store cannot be reached now; empty while it can. */
    default Optional<String> problem() {
        return Optional.empty();
    }

    /** Where it is, for messages: a file or a URL, never a password. */
    String describe();

    @Override
    default void close() {
    }
}
