package io.sluice.spi.read;

import java.util.Map;
import java.util.Objects;

/**
 * One message as it arrived at a target.
 *
 * @param event      the normalised JSON of one event as UTF-8, with the wire format (Base64, gzip,
 *                   envelopes) taken off; when it cannot be taken off, the bytes as they arrived
 * @param attributes what the target says about it, in a stable order (e.g. {@code shardId},
 *                   {@code sequenceNumber}); shown by {@code sluice tail}
 */
public record Arrival(byte[] event, Map<String, String> attributes) {

    public Arrival {
        Objects.requireNonNull(event, "event");
        attributes = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(attributes));
    }
}
