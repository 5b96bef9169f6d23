package io.sluice.runner.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

/**
 * A source's write key. It authenticates every request, so it is as secret as a password:
 * {@link #toString()} masks it, and only the authenticator and the local-default banner read it.
 */
public final class WriteKey {

    private static final String MASK = "******";

    private final String value;

    public WriteKey(String value) {
        this.value = Objects.requireNonNull(value, "value");
    }

    /** The clear key. Never log or print it. */
    public String reveal() {
        return value;
    }

    /** SHA-256 of the key: fixed-length, so comparing digests takes the same time for any input. */
    public byte[] digest() {
        return sha256(value);
    }

    public static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return MASK;
    }
}
