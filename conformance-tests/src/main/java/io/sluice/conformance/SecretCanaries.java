package io.sluice.conformance;

import io.sluice.spi.settings.Setting;
import io.sluice.spi.settings.SettingType;
import io.sluice.spi.settings.SettingsSchema;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A distinctive value for every {@code SECRET} setting of a schema, to be looked for wherever a
 * secret must not show: if a canary turns up in a text, that text leaks the secret.
 */
final class SecretCanaries {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    /** Setting name to its canary. */
    private final Map<String, String> canaries = new LinkedHashMap<>();
    private final Map<String, SettingType> types = new LinkedHashMap<>();

    SecretCanaries(SettingsSchema schema) {
        for (Setting setting : schema.settings()) {
            if (setting.isSecret()) {
                canaries.put(setting.name(), "canary" + random(24));
                types.put(setting.name(), setting.type());
            }
        }
    }

    boolean isEmpty() {
        return canaries.isEmpty();
    }

    Map<String, String> bySetting() {
        return canaries;
    }

    /**
     * {@code raw} with every secret set to its canary: secret text becomes the canary; a secret URL
     * keeps its target and carries the canary in its query; each value of a secret map becomes the
     * canary (a map given none gets one entry), so the destination still reaches its target.
     */
    Map<String, Object> applyTo(Map<String, Object> raw) {
        Map<String, Object> out = new LinkedHashMap<>(raw);
        canaries.forEach((name, canary) -> out.put(name, switch (types.get(name)) {
            case URI -> {
                String url = String.valueOf(raw.getOrDefault(name, "https://canary.invalid/"));
                yield url + (url.contains("?") ? "&" : "?") + "sluice-canary=" + canary;
            }
            case MAP -> {
                Map<String, Object> map = new LinkedHashMap<>();
                if (raw.get(name) instanceof Map<?, ?> given && !given.isEmpty()) {
                    given.keySet().forEach(k -> map.put(String.valueOf(k), canary));
                } else {
                    map.put("X-Sluice-Canary", canary);
                }
                yield map;
            }
            default -> canary;
        }));
        return out;
    }

    /**
     * Other values a secret might be given, each one distinctive, meant to break whatever rule a
     * secret's validator has (length, alphabet) so that its error message is produced: a short one,
     * one with odd characters, a long one.
     */
    static List<String> oddSecrets() {
        List<String> odd = new ArrayList<>();
        odd.add("cy" + random(8));
        odd.add("cy" + random(10) + " <'\"\\%>");
        odd.add("cy" + random(10) + "z".repeat(3000));
        return odd;
    }

    /** The first canary (or odd secret among {@code extra}) found in {@code text}, if any. */
    Optional<String> leakIn(String text, List<String> extra) {
        if (text == null) {
            return Optional.empty();
        }
        for (Map.Entry<String, String> e : canaries.entrySet()) {
            if (text.contains(e.getValue())) {
                return Optional.of("the value of secret setting '" + e.getKey() + "'");
            }
        }
        for (String secret : extra) {
            // Long values may be cut when shown; their random start is enough to leak them.
            String probe = secret.substring(0, Math.min(12, secret.length()));
            if (text.contains(probe)) {
                return Optional.of("a secret value");
            }
        }
        return Optional.empty();
    }

    private static String random(int length) {
        char[] out = new char[length];
        for (int i = 0; i < length; i++) {
            out[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return new String(out);
    }
}
