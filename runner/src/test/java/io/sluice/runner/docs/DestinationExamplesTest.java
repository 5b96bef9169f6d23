package io.sluice.runner.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.runner.config.ConfigException;
import io.sluice.runner.config.ConfigLoader;
import io.sluice.runner.config.SluiceConfig;
import io.sluice.runner.plugins.PluginRegistry;
import io.sluice.spi.settings.Settings;
import java.net.URI;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The configuration examples of the Webhooks and Kafka pages load as they are shown, their lists
 * read as lists; the comma-separated text a configuration written for the first 0.2 builds holds
 * loads to the same settings; a bad value is named by its path and index.
 */
class DestinationExamplesTest {

    static final Map<String, String> ENV = Map.of("SLUICE_WRITE_KEY", "wk-example-0123456789",
            "HOOK_TOKEN", "tok-example", "HOOK_SHARED_SECRET", "shared-example", "KAFKA_PASSWORD", "pw-example",
            "BROKER_2", "kafka-2.internal:9093");

    static Settings firstDestination(String yaml, String where) throws ConfigException {
        SluiceConfig config = new ConfigLoader(PluginRegistry.builtIn(), ENV::get).read(yaml, where);
        return config.sources().get(0).destinations().get(0).settings();
    }

    static String example(String page) {
        Matcher yaml = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL).matcher(Docs.read(page));
        assertThat(yaml.find()).as("a yaml block in " + page).isTrue();
        return yaml.group(1);
    }

    @Test
    void theWebhookExampleLoadsWithItsUrlsAsAList() throws Exception {
        String yaml = example("docs/destinations/webhook.md");
        assertThat(yaml).contains("urls:\n            - https://");
        Settings settings = firstDestination(yaml, "webhook.md");
        assertThat(settings.uriList("urls")).containsExactly(URI.create("https://hooks.example.com/segment"),
                URI.create("https://audit.example.com/in"));

        String commas = yaml.replaceAll("urls:\\n\\s+- (\\S+)\\n\\s+- (\\S+)\\n", "urls: $1, $2\n");
        assertThat(commas).contains("urls: https://hooks.example.com/segment, https://audit.example.com/in\n");
        assertThat(firstDestination(commas, "webhook.md as 0.2 wrote it").uriList("urls"))
                .isEqualTo(settings.uriList("urls"));
    }

    @Test
    void theKafkaExampleLoadsWithItsBrokersAsAList() throws Exception {
        String yaml = example("docs/destinations/kafka.md");
        Settings settings = firstDestination(yaml, "kafka.md");
        assertThat(settings.list("brokers")).containsExactly("kafka-1.internal:9093", "kafka-2.internal:9093");

        String withEnv = yaml.replace("- kafka-2.internal:9093", "- ${env:BROKER_2}");
        assertThat(firstDestination(withEnv, "kafka.md with ${env:} in a list").list("brokers"))
                .containsExactly("kafka-1.internal:9093", "kafka-2.internal:9093");
        String commas = yaml.replaceAll("brokers:\\n\\s+- (\\S+)\\n\\s+- (\\S+)\\n", "brokers: $1, $2\n");
        assertThat(firstDestination(commas, "kafka.md as 0.2 wrote it").list("brokers"))
                .containsExactly("kafka-1.internal:9093", "kafka-2.internal:9093");
    }

    @Test
    void everyBadValueIsNamedByItsPathAndIndex() {
        String yaml = example("docs/destinations/kafka.md")
                .replace("- kafka-1.internal:9093", "- kafka-1.internal")
                .replace("- kafka-2.internal:9093", "- ftp://kafka-2");
        assertThatThrownBy(() -> firstDestination(yaml, "bad.yaml"))
                .hasMessageContaining("sources[0].destinations[0].settings.brokers[0]: must be host:port, e.g. kafka-1:9092 "
                        + "(got 'kafka-1.internal')")
                .hasMessageContaining("sources[0].destinations[0].settings.brokers[1]: must be host:port");
    }

    @Test
    void theReadmeExampleLoadsWithAWebhookAndKafka() throws Exception {
        SluiceConfig config = new ConfigLoader(PluginRegistry.builtIn(), ENV::get).read(example("README.md"), "README.md");
        var destinations = config.sources().get(0).destinations();
        assertThat(destinations).extracting(SluiceConfig.Destination::type).containsExactly("webhook", "kafka");
        assertThat(destinations.get(0).settings().uriList("urls")).containsExactly(URI.create("https://hooks.example.com/segment"));
        assertThat(destinations.get(1).settings().list("brokers")).containsExactly("kafka-1.internal:9093", "kafka-2.internal:9093");
    }
}
