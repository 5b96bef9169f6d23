package io.sluice.core.spool;

import java.time.Instant;
import java.util.Optional;

/**
 * What one reader of the spool has not finished yet: handed to its engine or still on disk.
 *
 * @param events the unfinished events
 * @param bytes  their payload bytes (each event is stored once; this counts the ones routed to this reader)
 * @param oldest when the oldest of them was received; empty when there is none
 */
public record Backlog(long events, long bytes, Optional<Instant> oldest) {

    public static final Backlog EMPTY = new Backlog(0, 0, Optional.empty());
}
