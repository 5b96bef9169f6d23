package io.sluice.runner.plugins;

import io.sluice.spi.settings.Secret;
import io.sluice.spi.settings.Settings;
import java.util.Comparator;
import java.util.List;

/**
 * Blanks an instance's secret setting values out of text a plugin wrote (exception messages,
 * health, outcome reasons), whatever the plugin did: the runner's last line of defence.
 */
public final class Redactor {

    private static final Redactor NONE = new Redactor(List.of());

    private final List<String> secrets;

    private Redactor(List<String> secrets) {
        this.secrets = secrets;
    }

    /** For the secrets of {@code settings}: secret text, secret URLs and the values of secret maps. */
    public static Redactor of(Settings settings) {
        List<String> secrets = settings.secretValues().stream()
                .filter(s -> !s.isEmpty())
                .distinct()
                // Longest first, so a secret that contains another is blanked whole.
                .sorted(Comparator.comparingInt(String::length).reversed())
                .toList();
        return secrets.isEmpty() ? NONE : new Redactor(secrets);
    }

    public boolean isEmpty() {
        return secrets.isEmpty();
    }

    public String redact(String text) {
        if (text == null || secrets.isEmpty()) {
            return text;
        }
        String out = text;
        for (String secret : secrets) {
            out = out.replace(secret, Secret.MASK);
        }
        return out;
    }

    /** A throwable's message and those of its causes, redacted: what an operator is shown. */
    public String describe(Throwable error) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = error; t != null && t.getCause() != t; t = t.getCause()) {
            if (text.length() > 0) {
                text.append("; caused by ");
            }
            String message = t.getMessage();
            text.append(message == null || message.isBlank() ? t.getClass().getName() : message.strip());
            if (text.length() > 2_000) {
                break;
            }
        }
        return redact(text.toString());
    }
}
