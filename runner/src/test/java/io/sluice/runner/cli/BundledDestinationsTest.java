package io.sluice.runner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.runner.testing.Cli;
import org.junit.jupiter.api.Test;

/** The Webhooks and Kafka destinations ship with Sluice: listed with their JSON Schema, secrets write-only. */
class BundledDestinationsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode entry(String type) throws Exception {
        Cli json = Cli.run("destinations", "--json");
        assertThat(json.exitCode()).as(json.err()).isZero();
        for (JsonNode entry : JSON.readTree(json.out())) {
            if (entry.get("type").asText().equals(type)) {
                return entry;
            }
        }
        throw new AssertionError(type + " is not listed: " + json.out());
    }

    @Test
    void theTextListingNamesBothWithTheirIntegrationKeys() {
        Cli text = Cli.run("destinations");

        assertThat(text.exitCode()).isZero();
        assertThat(text.out()).contains("webhook  (integrations key \"Webhooks\"", "kafka  (integrations key \"Kafka\"",
                "sharedSecret", "brokers");
        assertThat(text.out()).containsPattern("urls +list of uri +required")
                .containsPattern("brokers +list of string +required");
    }

    @Test
    void webhookIsListedWithItsSchema() throws Exception {
        JsonNode webhook = entry("webhook");

        assertThat(webhook.get("integrationName").asText()).isEqualTo("Webhooks");
        JsonNode schema = webhook.get("settingsSchema");
        assertThat(schema.get("required").toString()).contains("urls");
        JsonNode properties = schema.get("properties");
        assertThat(properties.get("sharedSecret").get("writeOnly").asBoolean()).isTrue();
        assertThat(properties.get("batching").get("default").asBoolean()).isFalse();
        assertThat(properties.get("timeoutSeconds").get("maximum").asInt()).isEqualTo(300);
        assertThat(properties.get("headers").toString()).contains("object");
        JsonNode urls = properties.get("urls");
        assertThat(urls.get("type").asText()).isEqualTo("array");
        assertThat(urls.get("items").get("format").asText()).isEqualTo("uri");
        assertThat(urls.get("minItems").asInt()).isEqualTo(1);
        assertThat(urls.get("maxItems").asInt()).isEqualTo(5);
        assertThat(urls.get("uniqueItems").asBoolean()).isTrue();
    }

    @Test
    void kafkaIsListedWithItsSchema() throws Exception {
        JsonNode kafka = entry("kafka");

        assertThat(kafka.get("integrationName").asText()).isEqualTo("Kafka");
        JsonNode schema = kafka.get("settingsSchema");
        assertThat(schema.get("required").toString()).contains("brokers", "topic");
        JsonNode properties = schema.get("properties");
        assertThat(properties.get("password").get("writeOnly").asBoolean()).isTrue();
        assertThat(properties.get("mechanism").get("enum").toString())
                .contains("none", "plain", "scram-sha-256", "scram-sha-512");
        assertThat(properties.get("partitionKey").get("default").asText()).isEqualTo("userId");
        assertThat(properties.get("compression").get("enum").toString()).contains("zstd");
        JsonNode brokers = properties.get("brokers");
        assertThat(brokers.get("type").asText()).isEqualTo("array");
        assertThat(brokers.get("items").get("pattern").asText()).contains(":[0-9]{1,5}");
        assertThat(brokers.get("minItems").asInt()).isEqualTo(1);
    }
}
