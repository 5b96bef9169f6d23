package io.sluice.runner.secrets;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The AES-256 keys that encrypt secret settings at rest: the current key, which encrypts and
 * decrypts, and previous keys, which only decrypt (for rotation). Each key is known by an id
 * derived from it (16 hex digits of a SHA-256 over a fixed label and the key), so an envelope says
 * which key sealed it without naming the key. {@code toString} shows ids only.
 */
public final class SecretKeys {

    /** AES-256. */
    public static final int KEY_BYTES = 32;

    private static final byte[] ID_LABEL = "sluice secret key id\0".getBytes(StandardCharsets.US_ASCII);

    private final Optional<String> currentId;
    private final Map<String, SecretKey> byId;

    private SecretKeys(Optional<String> currentId, Map<String, SecretKey> byId) {
        this.currentId = currentId;
        this.byId = byId;
    }

    /** No key: secret settings cannot be stored. */
    public static SecretKeys none() {
        return new SecretKeys(Optional.empty(), Map.of());
    }

    /** {@code current} encrypts; {@code previous} are tried when an envelope names them. */
    public static SecretKeys of(byte[] current, List<byte[]> previous) {
        Map<String, SecretKey> keys = new LinkedHashMap<>();
        String id = put(keys, current);
        previous.forEach(p -> put(keys, p));
        return new SecretKeys(Optional.of(id), Map.copyOf(keys));
    }

    private static String put(Map<String, SecretKey> keys, byte[] key) {
        if (key.length != KEY_BYTES) {
            throw new IllegalArgumentException("a secret key must be " + KEY_BYTES + " bytes");
        }
        String id = idOf(key);
        keys.putIfAbsent(id, new SecretKeySpec(key.clone(), "AES"));
        return id;
    }

    /**
     * Reads a key written as the base64 of 32 bytes ({@code openssl rand -base64 32}); surrounding
     * whitespace is ignored.
     *
     * @param origin names where the key came from in the error, e.g. {@code SLUICE_SECRET_KEY}
     * @throws IllegalArgumentException that names {@code origin}, never the value
     */
    public static byte[] decode(String base64, String origin) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            key = null;
        }
        if (key == null || key.length != KEY_BYTES) {
            throw new IllegalArgumentException(origin + ": must be the base64 of " + KEY_BYTES
                    + " random bytes, e.g. the output of: openssl rand -base64 32");
        }
        return key;
    }

    /** Several keys separated by commas or white space (the {@code SLUICE_SECRET_KEY_PREVIOUS} format). */
    public static List<byte[]> decodeList(String text, String origin) {
        List<byte[]> keys = new ArrayList<>();
        for (String part : text.split("[,\\s]+")) {
            if (!part.isBlank()) {
                keys.add(decode(part, origin));
            }
        }
        return keys;
    }

    /** The id a key is known by in envelopes. */
    public static String idOf(byte[] key) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(ID_LABEL);
            byte[] digest = sha.digest(key);
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Whether there is a key to encrypt with. */
    public boolean present() {
        return currentId.isPresent();
    }

    public Optional<String> currentId() {
        return currentId;
    }

    /** Ids of every key known, current first. */
    public List<String> ids() {
        return List.copyOf(byId.keySet());
    }

    Optional<SecretKey> key(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    @Override
    public String toString() {
        return "SecretKeys[current=" + currentId.orElse("none") + ", known=" + byId.keySet() + "]";
    }
}
