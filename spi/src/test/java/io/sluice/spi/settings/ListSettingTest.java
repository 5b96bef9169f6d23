package io.sluice.spi.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The list setting: both value forms, size bounds, rules for each value, every error at once, JSON Schema. */
class ListSettingTest {

    private final SettingsSchema schema = SettingsSchema.builder()
            .add(Setting.uriList("urls").size(1, 5).validator(Validators.distinct()).description("Where to POST."))
            .add(Setting.list("brokers").optional().size(1, 3)
                    .each(Validators.matches("host_port", "[a-z0-9.-]+:[0-9]{1,5}", "host:port, e.g. kafka-1:9092"))
                    .description("Bootstrap brokers."))
            .add(Setting.list("tags").defaultValue(List.of("a", "b")).description("Tags."))
            .build();

    private static Map<String, Object> raw(Object... pairs) {
        Map<String, Object> raw = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            raw.put((String) pairs[i], pairs[i + 1]);
        }
        return raw;
    }

    @Test
    void readsAYamlListAsTypedValues() {
        Settings s = schema.parse(raw("urls", List.of("https://a.example.test/in", " http://127.0.0.1:8080/x "),
                "brokers", List.of("kafka-1:9092", "kafka-2:9092")));
        assertThat(s.uriList("urls")).containsExactly(URI.create("https://a.example.test/in"),
                URI.create("http://127.0.0.1:8080/x"));
        assertThat(s.list("urls")).containsExactly("https://a.example.test/in", "http://127.0.0.1:8080/x");
        assertThat(s.list("brokers")).containsExactly("kafka-1:9092", "kafka-2:9092");
        assertThat(s.list("tags")).containsExactly("a", "b");
        assertThat(s.masked().get("brokers")).isEqualTo(List.of("kafka-1:9092", "kafka-2:9092"));
    }

    @Test
    void readsTextSeparatedByCommasAsA02ConfigurationHoldsIt() {
        Settings s = schema.parse(raw("urls", "https://a.example.test/in, https://b.example.test/in,",
                "brokers", " kafka-1:9092 ,kafka-2:9092"));
        assertThat(s.uriList("urls")).containsExactly(URI.create("https://a.example.test/in"),
                URI.create("https://b.example.test/in"));
        assertThat(s.list("brokers")).containsExactly("kafka-1:9092", "kafka-2:9092");
    }

    @Test
    void anEmptyListIsNoValue() {
        assertThat(schema.validate(raw("urls", List.of())))
                .extracting(SettingError::field, SettingError::rule).containsExactly(org.assertj.core.groups.Tuple.tuple("urls", "required"));
        Settings s = schema.parse(raw("urls", List.of("https://a.example.test/"), "brokers", List.of()));
        assertThat(s.has("brokers")).isFalse();
        assertThat(s.list("brokers")).isEmpty();
    }

    @Test
    void boundsTheSize() {
        List<String> six = List.of("https://a.test/1", "https://a.test/2", "https://a.test/3", "https://a.test/4",
                "https://a.test/5", "https://a.test/6");
        List<SettingError> errors = schema.validate(raw("urls", six, "brokers", "a:1,b:2,c:3,d:4"));
        assertThat(errors).extracting(SettingError::message)
                .containsExactly("urls: must hold 1 to 5 values", "brokers: must hold 1 to 3 values");
        assertThat(errors).extracting(SettingError::rule).containsOnly("size");
        assertThat(schema.validate(raw("urls", List.of("https://a.test/1", "https://a.test/1"))))
                .extracting(SettingError::rule, SettingError::message)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("unique", "urls: must not hold the same value twice"));
    }

    @Test
    void reportsEveryBrokenRuleAtOnceByFieldIndexAndRule() {
        List<Object> urls = Arrays.asList("https://ok.test/", "ftp://files.test/?token=abc123", null, "  ", "not a url",
                "https://2.test/", "https://3.test/", "https://4.test/");
        List<SettingError> errors = schema.validate(raw("urls", urls,
                "brokers", List.of("kafka-1:9092", "kafka-2", Map.of("host", "x")), "tags", 7));
        assertThat(errors).extracting(SettingError::field, SettingError::rule, SettingError::message).containsExactly(
                org.assertj.core.groups.Tuple.tuple("urls", "size", "urls: must hold 1 to 5 values"),
                org.assertj.core.groups.Tuple.tuple("urls", "uri_scheme",
                        "urls[1]: must be an absolute URI with a host and the scheme http or https, e.g. http://host:443"),
                org.assertj.core.groups.Tuple.tuple("urls", "type", "urls[2]: must be text"),
                org.assertj.core.groups.Tuple.tuple("urls", "empty_value", "urls[3]: must not be empty"),
                org.assertj.core.groups.Tuple.tuple("urls", "uri",
                        "urls[4]: must be an absolute URI with a host and the scheme http or https, e.g. http://host:443"),
                org.assertj.core.groups.Tuple.tuple("brokers", "host_port",
                        "brokers[1]: must be host:port, e.g. kafka-1:9092 (got 'kafka-2')"),
                org.assertj.core.groups.Tuple.tuple("brokers", "type", "brokers[2]: must be text"),
                org.assertj.core.groups.Tuple.tuple("tags", "type", "tags: must be a list of text values, or text separated by commas"));
        assertThat(errors.toString()).as("URIs are never quoted: they may carry tokens").doesNotContain("abc123");
        assertThatThrownBy(() -> schema.parse(raw("urls", urls)))
                .isInstanceOf(InvalidSettingsException.class)
                .satisfies(e -> assertThat(((InvalidSettingsException) e).errors()).hasSize(5));
    }

    @Test
    void exportsAnArraySchema() {
        String json = schema.toJsonSchema();
        assertThat(json).contains("\"urls\":{\"title\":\"urls\",\"type\":\"array\",\"items\":{\"type\":\"string\","
                + "\"format\":\"uri\",\"pattern\":\"^(?i:http|https)://\"},\"minItems\":1,\"maxItems\":5,");
        assertThat(json).contains("\"uniqueItems\":true");
        assertThat(json).contains("\"brokers\":{\"title\":\"brokers\",\"type\":\"array\",\"items\":{\"type\":\"string\","
                + "\"pattern\":\"^(?:[a-z0-9.-]+:[0-9]{1,5})$\"},\"minItems\":1,\"maxItems\":3,");
        assertThat(json).contains("\"x-sluice-type\":\"list\"").contains("\"default\":[\"a\",\"b\"]");
        assertThat(json).contains("\"required\":[\"urls\"]");
    }

    @Test
    void schemesApplyToEachUriAndListOnlyRulesRefuseOtherTypes() {
        SettingsSchema https = SettingsSchema.builder().add(Setting.uriList("hooks").schemes("https")).build();
        assertThat(https.validate(Map.of("hooks", List.of("https://a.test/", "http://b.test/"))))
                .extracting(SettingError::message).containsExactly(
                        "hooks[1]: must be an absolute URI with a host and the scheme https, e.g. https://host:443");
        assertThat(https.toJsonSchema()).contains("\"pattern\":\"^(?i:https)://\"");
        assertThatThrownBy(() -> Setting.string("s").size(1, 2)).hasMessageContaining("only a list setting");
        assertThatThrownBy(() -> Setting.string("s").each(v -> java.util.Optional.empty()))
                .hasMessageContaining("only a list setting");
        assertThatThrownBy(() -> Setting.list("l").size(3, 2)).hasMessageContaining("min <= max");
        assertThatThrownBy(() -> Setting.list("l").sensitive()).hasMessageContaining("only a uri or map");
        assertThatThrownBy(() -> Setting.list("l").schemes("https")).hasMessageContaining("only a uri setting");
        assertThatThrownBy(() -> Setting.list("l").size(1, 2).defaultValue(List.of()))
                .hasMessageContaining("l: default must hold 1 to 2 values");
    }

    @Test
    void typedAccessorsRefuseTheWrongKind() {
        Settings s = schema.parse(raw("urls", List.of("https://a.test/")));
        assertThatThrownBy(() -> s.uriList("brokers")).hasMessageContaining("read it with list");
        SettingsSchema other = SettingsSchema.builder().add(Setting.string("name").optional()).build();
        assertThatThrownBy(() -> other.parse(Map.of()).list("name")).hasMessageContaining("not a list");
        assertThat(Setting.uriList("u").elementType()).contains(SettingType.URI);
        assertThat(Setting.list("u").size(2, 4).minSize()).contains(2);
        assertThat(Setting.string("u").elementType()).isEmpty();
    }
}
