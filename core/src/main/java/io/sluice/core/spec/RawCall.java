package io.sluice.core.spec;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Optional;

/**
 * One call as received, with the batch's {@code context} and {@code integrations} merged in and any
 * {@code writeKey} removed. The node is owned by the pipeline and modified by the normaliser.
 *
 * @param node     the call
 * @param path     where it stood in the request, e.g. {@code $.batch[3]}
 * @param rawBytes its size as sent, before merging
 * @param sentAt   the batch's {@code sentAt}, used when the call has none
 */
public record RawCall(ObjectNode node, String path, int rawBytes, Optional<Instant> sentAt) {}
