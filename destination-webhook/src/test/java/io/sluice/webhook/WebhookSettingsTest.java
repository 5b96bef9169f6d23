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
    void oneToFiveHttpUrlsSeparatedByCommas() {
        assertThat(errors(Map.of("urls", "https://a.example/x, http://127.0.0.1:8080/y"))).isEmpty();
        assertThat(WebhookSettings.parseUrls(" https://a.example/x ,http://127.0.0.1:8080/y"))
                .extracting(Object::toString).containsExactly("https://a.example/x", "http://127.0.0.1:8080/y");

        assertThat(errors(Map.of("urls", "https://a/1,https://a/2,https://a/3,https://a/4,https://a/5,https://a/6")))
                .singleElement().asString().contains("urls", "1 to 5 URLs");
        assertThat(errors(Map.of("urls", "https://a.example/x,ftp://files.example/y")))
                .singleElement().asString().contains("urls", "URL 2 must be an absolute http or https URL");
        assertThat(errors(Map.of("urls", "https://a.example/x,https://a.example/x")))
                .singleElement().asString().contains("urls", "same URL twice");
        assertThat(errors(Map.of())).singleElement().asString().contains("urls");
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
        WebhookSettings settings = WebhookSettings.from(SCHEMA.parse(Map.of("urls", "https://a.example/?key=url-secret",
                "sharedSecret", "shared-secret-value", "headers", Map.of("Authorization", "Bearer header-secret"))));

        assertThat(settings.toString()).doesNotContain("shared-secret-value", "header-secret", "Authorization", "url-secret");
        assertThat(new WebhookDestinationProvider().create(SCHEMA.parse(Map.of("urls", "https://a.example/",
                "sharedSecret", "shared-secret-value"))).toString()).doesNotContain("shared-secret-value");
    }
}
