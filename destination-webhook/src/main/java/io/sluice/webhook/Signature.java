package io.sluice.webhook;

import io.sluice.spi.settings.Secret;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Segment's webhook signature: the hex HMAC-SHA1 of the exact body bytes under the shared secret. */
final class Signature {

    static final String HEADER = "X-Signature";
    private static final String ALGORITHM = "HmacSHA1";

    private final SecretKeySpec key;

    Signature(Secret sharedSecret) {
        this.key = new SecretKeySpec(sharedSecret.reveal().getBytes(StandardCharsets.UTF_8), ALGORITHM);
    }

    String of(byte[] body) {
        try {
            // A Mac is not thread-safe and cheap to make; deliveries run concurrently.
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has HmacSHA1", e);
        }
    }

    @Override
    public String toString() {
        return "Signature{" + ALGORITHM + "}";
    }
}
