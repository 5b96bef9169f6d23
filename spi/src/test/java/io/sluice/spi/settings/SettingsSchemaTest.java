package io.sluice.spi.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.spi.DestinationProvider;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class SettingsSchemaTest {

    private static final String CANARY = "canary-s3cr3t-value";

    @Test
    void providerLoadedThroughServiceLoaderReportsThreeErrorsAtOnce() {
        DestinationProvider provider = ServiceLoader.load(DestinationProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(p -> p.id().equals("example"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("ServiceLoader did not find the example provider"));

        List<SettingError> errors = provider.settingsSchema().validate(Map.of(
                "encoding", "xml",
                "batchSize", 501));

        assertThat(errors).extracting(SettingError::field, SettingError::rule).containsExactly(
                org.assertj.core.groups.Tuple.tuple("stream", "required"),
                org.assertj.core.groups.Tuple.tuple("encoding", "one_of"),
                org.assertj.core.groups.Tuple.tuple("batchSize", "range"));
        assertThat(errors.get(1).message()).isEqualTo("encoding: must be one of base64, json (got 'xml')");
        assertThat(errors.get(2).message()).isEqualTo("batchSize: must be between 1 and 500 (got '501')");
    }

    @Test
    void parseAppliesDefaultsAndTypes() {
        Settings settings = ExampleProvider.SCHEMA.parse(Map.of(
                "stream", "events", "batchSize", "250", "endpoint", "http://127.0.0.1:4567", "verbose", "TRUE"));

        assertThat(settings.string("stream")).isEqualTo("events");
        assertThat(settings.string("encoding")).isEqualTo("base64");
        assertThat(settings.integer("batchSize")).isEqualTo(250L);
        assertThat(settings.bool("verbose")).isTrue();
        assertThat(settings.uri("endpoint")).contains(URI.create("http://127.0.0.1:4567"));
        assertThat(settings.optionalString("user")).isEmpty();
        assertThat(settings.has("roleArn")).isFalse();
    }

    @Test
    void parseThrowsWithEveryError() {
        assertThatThrownBy(() -> ExampleProvider.SCHEMA.parse(Map.of("batchSize", "many", "endpoint", "not a uri")))
                .isInstanceOfSatisfying(InvalidSettingsException.class, e -> assertThat(e.errors())
                        .extracting(SettingError::rule).containsExactly("required", "type", "uri"));
    }

    @Test
    void typeRulesAreNamed() {
        Map<String, Object> raw = new HashMap<>();
        raw.put("stream", Map.of("nested", true));
        raw.put("verbose", "yes");
        raw.put("roleArn", "role/admin");
        raw.put("stram", "typo");
        assertThat(ExampleProvider.SCHEMA.validate(raw)).extracting(SettingError::field, SettingError::rule).containsExactly(
                org.assertj.core.groups.Tuple.tuple("stream", "type"),
                org.assertj.core.groups.Tuple.tuple("roleArn", "arn"),
                org.assertj.core.groups.Tuple.tuple("verbose", "type"),
                org.assertj.core.groups.Tuple.tuple("stram", "unknown_field"));
    }

    @Test
    void crossChecksSeeValidValues() {
        assertThat(ExampleProvider.SCHEMA.validate(Map.of("stream", "s", "user", "alice")))
                .extracting(SettingError::rule).containsExactly("together");
        assertThat(ExampleProvider.SCHEMA.validate(Map.of("stream", "s", "user", "alice", "password", CANARY))).isEmpty();
    }

    @Test
    void secretsNeverShowInToStringErrorsOrExports() {
        Settings settings = ExampleProvider.SCHEMA.parse(Map.of("stream", "s", "user", "alice", "password", CANARY));
        assertThat(settings.secret("password")).hasValueSatisfying(s -> assertThat(s.reveal()).isEqualTo(CANARY));
        assertThat(settings.toString()).doesNotContain(CANARY).contains("password=" + Secret.MASK);
        assertThat(settings.masked()).containsEntry("password", Secret.MASK);

        SettingsSchema strict = SettingsSchema.builder()
                .add(Setting.secret("token").validator(Validators.matches("token_format", "tok_[a-z]+", "a token like tok_abc")))
                .build();
        List<SettingError> errors = strict.validate(Map.of("token", CANARY));
        assertThat(errors).extracting(SettingError::rule).containsExactly("token_format");
        assertThat(errors.toString()).doesNotContain(CANARY);
        assertThatThrownBy(() -> strict.parse(Map.of("token", CANARY))).hasMessageNotContaining(CANARY);
        assertThat(strict.toJsonSchema()).doesNotContain(CANARY);
    }

    @Test
    void secretsCannotHaveDefaults() {
        assertThatThrownBy(() -> Setting.secret("key").defaultValue("x"))
                .hasMessage("key: a secret setting cannot have a default");
    }

    @Test
    void invalidDefaultIsADeclarationError() {
        assertThatThrownBy(() -> Setting.enumeration("mode", "a", "b").defaultValue("c"))
                .hasMessageContaining("mode: default must be one of a, b");
        assertThatThrownBy(() -> SettingsSchema.builder().add(Setting.string("x")).add(Setting.bool("x")))
                .hasMessage("setting declared twice: x");
    }

    @Test
    void exportsJsonSchema202012() {
        String schema = ExampleProvider.SCHEMA.toJsonSchema();
        assertThat(schema)
                .startsWith("{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"type\":\"object\"")
                .contains("\"stream\":{\"title\":\"stream\",\"type\":\"string\",\"description\":\"Where events go.\",\"x-sluice-type\":\"string\",\"x-order\":1}")
                .contains("\"encoding\":{\"title\":\"encoding\",\"type\":\"string\",\"enum\":[\"base64\",\"json\"],\"description\":\"Payload encoding.\","
                        + "\"x-sluice-type\":\"enum\",\"default\":\"base64\",\"x-order\":2}")
                .contains("\"batchSize\":{\"title\":\"batchSize\",\"type\":\"integer\",\"description\":\"Events per request.\",\"x-sluice-type\":\"integer\"")
                .contains("\"minimum\":1", "\"maximum\":500", "\"default\":500")
                .contains("\"password\":{\"title\":\"password\",\"type\":\"string\",\"format\":\"password\",\"writeOnly\":true")
                .contains("\"required\":[\"stream\"]")
                .endsWith("\"additionalProperties\":false}");
    }

    @Test
    void oneOfChecksTheListAndExportsItAsAnEnumForAChoiceList() {
        SettingsSchema schema = SettingsSchema.builder()
                .add(Setting.string("zone").validator(Validators.oneOf(List.of("north-1", "south-2"), "a known zone")))
                .build();

        assertThat(schema.validate(Map.of("zone", "south-2"))).isEmpty();
        assertThat(schema.validate(Map.of("zone", "west-9"))).singleElement()
                .satisfies(e -> assertThat(e.rule()).isEqualTo("one_of"))
                .satisfies(e -> assertThat(e.message()).isEqualTo("zone: must be a known zone (got 'west-9')"));
        assertThat(schema.toJsonSchema()).contains("\"enum\":[\"north-1\",\"south-2\"]").contains("\"x-sluice-type\":\"string\"");
    }

    @Test
    void jsonSchemaEscapesText() {
        SettingsSchema schema = SettingsSchema.builder()
                .add(Setting.string("q").description("say \"hi\"\\n\n\u0001"))
                .build();
        assertThat(schema.toJsonSchema()).contains("\"description\":\"say \\\"hi\\\"\\\\n\\n\\u0001\"");
    }
}
