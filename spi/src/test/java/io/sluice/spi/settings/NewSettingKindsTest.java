package io.sluice.spi.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The settings added in 0.2.0: maps, secret maps and URLs, URI schemes, form display, validator keywords. */
class NewSettingKindsTest {

    private static final String TOKEN = "Bearer tok-3f9a1c";

    private final SettingsSchema schema = SettingsSchema.builder()
            .add(Setting.uri("url").sensitive().label("Endpoint URL").group("Connection").order(1)
                    .description("Where to POST; may hold a token."))
            .add(Setting.map("headers").sensitive().optional().group("Connection").description("Extra headers."))
            .add(Setting.map("tags").optional().description("Plain tags."))
            .add(Setting.uri("callback").optional().schemes("https").description("An https callback."))
            .add(Setting.enumeration("region", "us-east-1", "eu-west-1")
                    .valueLabels(Map.of("us-east-1", "US East (N. Virginia)"))
                    .defaultValue("us-east-1").description("Region."))
            .add(Setting.string("code").optional()
                    .validator(Validator.of(v -> v.toString().length() == 3 ? Optional.empty()
                            : Optional.of(new Violation("code", "must be three letters")), Map.of("pattern", "^[A-Z]{3}$")))
                    .description("A code."))
            .build();

    @Test
    void mapsReadFromYamlShapedValuesAndSecretValuesStayMasked() {
        Map<String, Object> raw = new LinkedHashMap<>();
        raw.put("url", "https://hooks.example.test/in?token=abc123");
        raw.put("headers", Map.of("Authorization", TOKEN));
        raw.put("tags", Map.of("team", "data", "n", 3));
        Settings s = schema.parse(raw);
        assertThat(s.secretMap("headers").get("Authorization").reveal()).isEqualTo(TOKEN);
        assertThat(s.map("tags")).containsEntry("team", "data").containsEntry("n", "3");
        assertThat(s.uri("url")).contains(URI.create("https://hooks.example.test/in?token=abc123"));
        assertThat(s.toString()).doesNotContain("tok-3f9a1c").doesNotContain("abc123").contains("team");
        assertThat(s.masked().get("headers")).isEqualTo(Map.of("Authorization", Secret.MASK));
        assertThat(s.secretValues()).contains(TOKEN, "https://hooks.example.test/in?token=abc123");
        assertThatThrownBy(() -> s.map("headers")).hasMessageContaining("secretMap");
    }

    @Test
    void errorsNeverQuoteMapsUrlsOrSecrets() {
        Map<String, Object> raw = new LinkedHashMap<>();
        raw.put("url", "ftp://files.example.test/?token=abc123");
        raw.put("headers", "Authorization: " + TOKEN);
        raw.put("tags", Map.of("nested", Map.of("Authorization", TOKEN)));
        raw.put("callback", "http://cb.example.test/?key=abc123");
        raw.put("code", Map.of("Authorization", TOKEN));
        List<SettingError> errors = schema.validate(raw);
        assertThat(errors).extracting(SettingError::field).containsExactly("url", "headers", "tags", "callback", "code");
        assertThat(errors).extracting(SettingError::rule).containsExactly("uri_scheme", "type", "type", "uri_scheme", "type");
        assertThat(errors.toString()).doesNotContain("abc123").doesNotContain("tok-3f9a1c");
        assertThat(errors.get(0).message()).contains("http or https");
        assertThat(errors.get(3).message()).contains("scheme https");
    }

    @Test
    void jsonSchemaCarriesLabelsGroupsOrderChoicesAndValidatorKeywords() {
        String json = schema.toJsonSchema();
        assertThat(json).contains("\"url\":{\"title\":\"Endpoint URL\",\"type\":\"string\",\"format\":\"uri\"")
                .contains("\"writeOnly\":true")
                .contains("\"x-order\":1,\"x-group\":\"Connection\"")
                .contains("\"headers\":{\"title\":\"headers\",\"type\":\"object\",\"additionalProperties\":{\"type\":\"string\"},\"writeOnly\":true")
                .contains("\"enum\":[\"us-east-1\",\"eu-west-1\"],\"x-enumLabels\":{\"us-east-1\":\"US East (N. Virginia)\",\"eu-west-1\":\"eu-west-1\"}")
                .contains("\"pattern\":\"^[A-Z]{3}$\"")
                .contains("\"pattern\":\"^(?i:https)://\"")
                .contains("\"x-sluice-type\":\"map\"");
    }

    @Test
    void secretUrlsAndMapsTakeNoDefaultAndOnlyUrisAndMapsCanBeMadeSecret() {
        assertThatThrownBy(() -> Setting.uri("u").defaultValue("https://a.example.test").sensitive())
                .hasMessageContaining("cannot have a default");
        assertThatThrownBy(() -> Setting.string("s").sensitive()).hasMessageContaining("Setting.secret");
        assertThatThrownBy(() -> Setting.string("s").schemes("https")).hasMessageContaining("only a uri");
    }

    @Test
    void anEmptyMapCountsAsMissing() {
        assertThat(SettingsSchema.builder().add(Setting.map("h").description("x")).build().validate(Map.of("h", Map.of())))
                .extracting(SettingError::rule).containsExactly("required");
    }
}
