package io.sluice.kinesis;

import io.sluice.spi.event.Event;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Chooses a record's partition key: the {@code userId}, else the {@code anonymousId}, else the
 * {@code messageId}; or always the {@code messageId} when {@code useMessageId} is on, which spreads
 * a hot user's events over every shard (so one user's events no longer share a shard).
 *
 * <p>Kinesis accepts keys of 1 to 256 characters. A longer key is replaced by the lower-case hex
 * SHA-256 of its UTF-8 bytes (64 characters): stable, so one user's events still share a shard.
 */
final class PartitionKeys {

    /** Kinesis's limit. Counted in UTF-16 units, which is never less than Unicode characters. */
    private static final int MAX_LENGTH = 256;

    private final boolean useMessageId;

    PartitionKeys(boolean useMessageId) {
        this.useMessageId = useMessageId;
    }

    String of(Event event) {
        String key = useMessageId
                ? event.messageId()
                : nonEmpty(event.userId()).or(() -> nonEmpty(event.anonymousId())).orElse(event.messageId());
        return fit(key);
    }

    private static String fit(String key) {
        return key.length() <= MAX_LENGTH ? key : sha256Hex(key);
    }

    private static Optional<String> nonEmpty(Optional<String> value) {
        return value.filter(v -> !v.isEmpty());
    }

    private static String sha256Hex(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
