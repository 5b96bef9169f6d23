package io.sluice.runner.secrets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Seals secret setting values for storage, and opens them again: AES-256-GCM with a random 96-bit
 * nonce per value and a 128-bit tag. The envelope is JSON:
 *
 * <pre>{"alg":"A256GCM","kid":"3f6c0a5e9b1d2c47","nonce":"base64","ct":"base64 (ciphertext and tag)"}</pre>
 *
 * <p>{@code context} (where the value belongs, e.g. {@code web/kinesis/secretAccessKey}) is bound
 * as associated data: a sealed value copied to another place does not open there.
 */
public final class SecretBox {

    public static final String ALGORITHM = "A256GCM";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecretKeys keys;
    private final SecureRandom random = new SecureRandom();

    public SecretBox(SecretKeys keys) {
        this.keys = keys;
    }

    public SecretKeys keys() {
        return keys;
    }

    /** Whether values can be sealed: there is a current key. */
    public boolean canSeal() {
        return keys.present();
    }

    /**
     * @throws SecretKeyException when there is no current key
     */
    public ObjectNode seal(String plaintext, String context) {
        String kid = keys.currentId().orElseThrow(() -> new SecretKeyException(
                "no secret key is configured, so secret settings cannot be stored: set SLUICE_SECRET_KEY "
                        + "(the base64 of 32 random bytes: openssl rand -base64 32) or admin.keyFile"));
        SecretKey key = keys.key(kid).orElseThrow();
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        byte[] ct;
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            ct = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available: " + e.getMessage(), e);
        }
        ObjectNode envelope = JsonNodeFactory.instance.objectNode();
        envelope.put("alg", ALGORITHM);
        envelope.put("kid", kid);
        envelope.put("nonce", Base64.getEncoder().encodeToString(nonce));
        envelope.put("ct", Base64.getEncoder().encodeToString(ct));
        return envelope;
    }

    /**
     * @throws SecretKeyException when no configured key has the envelope's id, or the value does
     *                            not open (the file was altered, or the value was moved)
     */
    public String open(JsonNode envelope, String context) {
        if (!isEnvelope(envelope)) {
            throw new SecretKeyException(context + ": not an encrypted value (expected {\"alg\":\"" + ALGORITHM
                    + "\",\"kid\",\"nonce\",\"ct\"})");
        }
        String kid = envelope.get("kid").asText();
        SecretKey key = keys.key(kid).orElseThrow(() -> new SecretKeyException(context
                + ": was encrypted with the key whose id is " + kid + ", but "
                + (keys.present() ? "the configured keys have the ids " + keys.ids()
                        + "; give the key it was encrypted with as SLUICE_SECRET_KEY_PREVIOUS (or admin.previousKeyFiles)"
                        : "no secret key is configured; set SLUICE_SECRET_KEY or admin.keyFile")));
        try {
            byte[] nonce = Base64.getDecoder().decode(envelope.get("nonce").asText());
            byte[] ct = Base64.getDecoder().decode(envelope.get("ct").asText());
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            return new String(cipher.doFinal(ct), StandardCharsets.UTF_8);
        } catch (AEADBadTagException e) {
            throw new SecretKeyException(context + ": cannot be decrypted with the key " + kid
                    + ": the state file was altered, or the value was copied from elsewhere", e);
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw new SecretKeyException(context + ": the encrypted value is damaged (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    /** Whether the envelope was sealed with the current key (else it should be sealed again). */
    public boolean sealedWithCurrentKey(JsonNode envelope) {
        return isEnvelope(envelope) && keys.currentId().map(id -> id.equals(envelope.get("kid").asText())).orElse(false);
    }

    public static boolean isEnvelope(JsonNode node) {
        return node != null && node.isObject() && ALGORITHM.equals(node.path("alg").asText())
                && node.path("kid").isTextual() && node.path("nonce").isTextual() && node.path("ct").isTextual();
    }
}
