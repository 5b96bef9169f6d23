package io.sluice.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.spi.settings.SettingError;
import io.sluice.spi.settings.SettingsSchema;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Kafka settings as declared: no broker needed. */
class KafkaSettingsTest {

    private static final SettingsSchema SCHEMA = KafkaSettings.SCHEMA;

    private static Map<String, Object> raw(Object brokers, Object... more) {
        Map<String, Object> raw = new LinkedHashMap<>();
        raw.put("brokers", brokers);
        raw.put("topic", "events");
        for (int i = 0; i < more.length; i += 2) {
            raw.put((String) more[i], more[i + 1]);
        }
        return raw;
    }

    private static List<String> errors(Map<String, Object> raw) {
        return SCHEMA.validate(raw).stream().map(SettingError::toString).toList();
    }

    @Test
    void brokersAreAListOrTextSeparatedByCommas() {
        KafkaSettings listed = KafkaSettings.from(SCHEMA.parse(raw(List.of("kafka-1:9092", " 127.0.0.1:9093 ", "[::1]:9094"))));
        assertThat(listed.brokers()).containsExactly("kafka-1:9092", "127.0.0.1:9093", "[::1]:9094");
        KafkaSettings text = KafkaSettings.from(SCHEMA.parse(raw("kafka-1:9092, 127.0.0.1:9093")));
        assertThat(text.brokers()).containsExactly("kafka-1:9092", "127.0.0.1:9093");
        assertThat(text.target()).isEqualTo("Kafka topic events on kafka-1:9092,127.0.0.1:9093");
    }

    @Test
    void everyBadBrokerIsNamedByIndexWithTheOtherErrors() {
        assertThat(errors(raw(List.of("kafka-1:9092", "kafka-2", "http://kafka-3:9092"), "topic", "bad topic",
                "mechanism", "plain")))
                .containsExactly(
                        "brokers[1]: must be host:port, e.g. kafka-1:9092 (got 'kafka-2') [host_port]",
                        "brokers[2]: must be host:port, e.g. kafka-1:9092 (got 'http://kafka-3:9092') [host_port]",
                        "topic: must be a topic name: 1 to 249 letters, digits, '.', '_' or '-' (got 'bad topic') [topic_name]",
                        "username: is required when mechanism is plain [required_with]");
        assertThat(errors(raw(List.of()))).containsExactly("brokers: is required [required]");
        assertThat(errors(raw(java.util.Collections.nCopies(KafkaSettings.MAX_BROKERS + 1, "k:9092"))))
                .containsExactly("brokers: must hold 1 to " + KafkaSettings.MAX_BROKERS + " values [size]");
    }

    @Test
    void thePasswordStaysOutOfToStringAndErrors() {
        KafkaSettings settings = KafkaSettings.from(SCHEMA.parse(raw(List.of("kafka-1:9092"), "mechanism", "scram-sha-512",
                "username", "sluice", "password", "pw-6c1e0a")));
        assertThat(settings.toString()).contains("kafka-1:9092", "sluice").doesNotContain("pw-6c1e0a");
        assertThat(errors(raw(List.of("kafka-1"), "mechanism", "plain", "password", "pw-6c1e0a")).toString())
                .doesNotContain("pw-6c1e0a");
    }

    @Test
    void theSchemaShowsBrokersAsAnArray() {
        assertThat(SCHEMA.toJsonSchema()).contains("\"brokers\":{\"title\":\"Brokers\",\"type\":\"array\",\"items\":"
                + "{\"type\":\"string\",\"pattern\":\"^(?:");
        assertThat(SCHEMA.toJsonSchema()).contains("\"minItems\":1,\"maxItems\":" + KafkaSettings.MAX_BROKERS);
    }
}
