package io.sluice.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.spi.settings.SettingError;
import io.sluice.spi.settings.SettingsSchema;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebhookSettingsTest {

    private static final SettingsSchema SCHEMA = WebhookSettings.SCHEMA;

    private static List<String> errors(Map<String, Object> raw) {
        return SCHEMA.validate(raw).stream().map(SettingError::toString).toList();
    }

    @Test
    void oneToFiveHttpUrlsAsAListOrSeparatedByCommas() {
        assertThat(errors(Map.of("urls", List.of("https://a.example/x", "http://127.0.0.1:8080/y")))).isEmpty();
        assertThat(WebhookSettings.from(SCHEMA.parse(Map.of("urls", List.of(" https://a.example/x ", "http://127.0.0.1:8080/y"))))
                .urls()).extracting(Object::toString).containsExactly("https://a.example/x", "http://127.0.0.1:8080/y");
        // A 0.2 configuration holds them as text separated by commas: still read.
        assertThat(WebhookSettings.from(SCHEMA.parse(Map.of("urls", " https://a.example/x ,http://127.0.0.1:8080/y")))
                .urls()).extracting(Object::toString).containsExactly("https://a.example/x", "http://127.0.0.1:8080/y");

        assertThat(errors(Map.of("urls", List.of("https://a/1", "https://a/2", "https://a/3", "https://a/4", "https://a/5",
                "https://a/6")))).containsExactly("urls: must hold 1 to 5 values [size]");
        assertThat(errors(Map.of("urls", List.of("https://a.example/x", "ftp://files.example/y", "mailto:x@example"))))
                .containsExactly(
                        "urls[1]: must be an absolute URI with a host and the scheme http or https, e.g. http://host:443 [uri_scheme]",
                        "urls[2]: must be an absolute URI with a host and the scheme http or https, e.g. http://host:443 [uri]");
        assertThat(errors(Map.of("urls", List.of("https://a.example/x", "https://a.example/x"))))
                .containsExactly("urls: must not hold the same value twice [unique]");
        assertThat(errors(Map.of())).containsExactly("urls: is required [required]");
        assertThat(errors(Map.of("urls", List.of()))).containsExactly("urls: is required [required]");
    }

    @Test
    void everyBrokenRuleIsReportedAtOnce() {
        List<String> errors = errors(Map.of("urls", "nowhere", "timeoutSeconds", 0, "batching", "sometimes"));

        assertThat(errors).hasSize(3);
        assertThat(String.join("\n", errors)).contains("urls", "timeoutSeconds", "batching");
    }

    @Test
    void headersTheDestinationOwnsCannotBeConfigured() {
        assertThat(errors(Map.of("urls", "https://a.example/", "headers", Map.of("X-Signature", "forged"))))
                .singleElement().asString().contains("headers", "X-Signature", "set by Sluice").doesNotContain("forged");
        assertThat(errors(Map.of("urls", "https://a.example/", "headers", Map.of("Authorization", "Basic abc"))))
                .isEmpty();
        assertThat(errors(Map.of("urls", "https://a.example/", "headers", Map.of("Authorization", "Bearer a\r\nX-Evil: 1"))))
                .singleElement().asString().contains("headers", "Authorization", "one line").doesNotContain("Bearer", "Evil");
    }

    @Test
    void toStringShowsNoSecretAndNoHeader() {
        WebhookSettings settings = WebhookSettings.from(SCHEMA.parse(Map.of("urls", List.of("https://a.example/?key=url-secret"),
                "sharedSecret", "shared-secret-value", "headers", Map.of("Authorization", "Bearer header-secret"))));

        assertThat(settings.toString()).doesNotContain("shared-secret-value", "header-secret", "Authorization", "url-secret");
        assertThat(new WebhookDestinationProvider().create(SCHEMA.parse(Map.of("urls", "https://a.example/",
                "sharedSecret", "shared-secret-value"))).toString()).doesNotContain("shared-secret-value");
    }
}
