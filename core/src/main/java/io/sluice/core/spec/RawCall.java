package io.sluice.core.spec;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Optional;

/**
 * One call as received, with the batch's {@code context} and {@code integrations} merged in and any
 * {@code writeKey} removed. The call is owned by the pipeline and edited by the normaliser.
 *
 * @param call     the call's top-level members, over the request's bytes
 * @param path     where it stood in the request, e.g. {@code $.batch[3]}
 * @param rawBytes its size as sent, before merging
 * @param sentAt   the batch's {@code sentAt}, used when the call has none
 */
public record RawCall(ScannedCall call, String path, int rawBytes, Optional<Instant> sentAt) {

    /** The call as a tree, built anew on each use: for rejected calls, off the accepted path. */
    public ObjectNode node() {
        return call.toNode();
    }
}
