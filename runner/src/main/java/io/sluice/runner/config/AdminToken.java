package io.sluice.runner.config;

import java.security.MessageDigest;
import java.util.Objects;

/**
 * The dashboard's admin credential. Distinct from every write key (the configuration refuses one
 * that equals a write key). {@link #toString()} masks it; {@link #matches} compares SHA-256
 * digests in constant time.
 */
public final class AdminToken {

    /** Shorter tokens are refused: the admin API changes where events go and holds credentials. */
    public static final int MIN_LENGTH = 16;

    private final byte[] digest;

    public AdminToken(String value) {
        this.digest = WriteKey.sha256(Objects.requireNonNull(value, "value"));
    }

    /** Whether {@code candidate} is the token; takes the same time whatever it is. */
    public boolean matches(String candidate) {
        return candidate != null && MessageDigest.isEqual(digest, WriteKey.sha256(candidate));
    }

    @Override
    public String toString() {
        return "******";
    }
}
