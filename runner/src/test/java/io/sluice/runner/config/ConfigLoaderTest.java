package io.sluice.runner.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.runner.plugins.PluginRegistry;
import io.sluice.spi.settings.Secret;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {

    static final PluginRegistry REGISTRY = PluginRegistry.builtIn();

    static ConfigLoader loader(Map<String, String> env) {
        return new ConfigLoader(REGISTRY, env::get);
    }

    static List<String> errors(String yaml, Map<String, String> env) {
        try {
            loader(env).read(yaml, "test.yaml");
        } catch (ConfigException e) {
            return e.errors();
        }
        throw new AssertionError("expected the configuration to be refused");
    }

    @Test
    void theIssueExampleIsValid() throws Exception {
        String yaml = """
                server: {port: 8088}
                sources:
                  - name: web
                    writeKey: ${env:SLUICE_WRITE_KEY}
                    destinations:
                      - type: kinesis
                        settings: {region: us-east-1, stream: events, accessKeyId: AKIAEXAMPLE, secretAccessKey: "${env:AWS_SECRET}"}
                """;
        SluiceConfig config = loader(Map.of("SLUICE_WRITE_KEY", "wk-123", "AWS_SECRET", "s3cr3t-value")).read(yaml, "t");

        assertThat(config.server().host()).isEqualTo("127.0.0.1");
        assertThat(config.server().port()).isEqualTo(8088);
        assertThat(config.deadLetter()).isEqualTo(Path.of("sluice-data", "dead-letter.ndjson"));
        SluiceConfig.Source source = config.sources().get(0);
        assertThat(source.writeKey().reveal()).isEqualTo("wk-123");
        SluiceConfig.Destination destination = source.destinations().get(0);
        assertThat(destination.name()).isEqualTo("web/kinesis");
        assertThat(destination.settings().secret("secretAccessKey").map(Secret::reveal)).contains("s3cr3t-value");
        assertThat(config.toString()).doesNotContain("wk-123").doesNotContain("s3cr3t-value");
    }

    @Test
    void everyErrorIsReportedAtOnce() {
        String yaml = """
                server: {port: 70000, color: blue}
                sources:
                  - name: web
                    writeKey: same-key
                    destinations:
                      - type: kinesis
                        settings: {region: mars-north-1, stream: "bad stream!", secretAccessKey: hunter2-secret}
                      - type: carrier-pigeon
                  - name: web
                    writeKey: same-key
                    destinations:
                      - type: memory
                        settings: {instance: x}
                  - name: empty
                    writeKey: ""
                    destinations: []
                """;
        List<String> errors = errors(yaml, Map.of());

        assertThat(errors).anySatisfy(e -> assertThat(e).startsWith("server.port:").contains("65535"));
        assertThat(errors).anySatisfy(e -> assertThat(e).startsWith("server.color: unknown field"));
        assertThat(errors).anySatisfy(e -> assertThat(e).startsWith("sources[0].destinations[0].settings.region:"));
        assertThat(errors).anySatisfy(e -> assertThat(e).startsWith("sources[0].destinations[0].settings.stream:"));
        assertThat(errors).anySatisfy(e -> assertThat(e).startsWith("sources[0].destinations[0].settings.accessKeyId:"));
        assertThat(errors).anySatisfy(e -> assertThat(e).startsWith("sources[0].destinations[1].type:")
                .contains("carrier-pigeon").contains("known types are").contains("kinesis").contains("memory"));
        assertThat(errors).anySatisfy(e -> assertThat(e).startsWith("sources[1].name:").contains("sources[0]"));
        assertThat(errors).anySatisfy(e -> assertThat(e).startsWith("sources[1].writeKey:").contains("sources[0]"));
        assertThat(errors).anySatisfy(e -> assertThat(e).startsWith("sources[2].writeKey: must not be empty"));
        assertThat(errors).anySatisfy(e -> assertThat(e).startsWith("sources[2].destinations: at least one"));
        assertThat(errors).allSatisfy(e -> assertThat(e).doesNotContain("same-key").doesNotContain("hunter2-secret"));
    }

    @Test
    void envReferencesAreSubstitutedInsideText() throws Exception {
        String yaml = """
                deadLetter: {path: "${env:DATA}/dead.ndjson"}
                sources:
                  - name: web
                    writeKey: "wk-${env:SUFFIX}"
                    destinations:
                      - type: memory
                        settings: {instance: "${env:INSTANCE}"}
                """;
        SluiceConfig config = loader(Map.of("DATA", "/var/sluice", "SUFFIX", "42", "INSTANCE", "i-1")).read(yaml, "t");

        assertThat(config.deadLetter()).isEqualTo(Path.of("/var/sluice/dead.ndjson"));
        assertThat(config.sources().get(0).writeKey().reveal()).isEqualTo("wk-42");
        assertThat(config.sources().get(0).destinations().get(0).settings().string("instance")).isEqualTo("i-1");
    }

    @Test
    void missingEnvVariableNamesItAndThePathWithoutLeakingValues() {
        String yaml = """
                sources:
                  - name: web
                    writeKey: ${env:SLUICE_WRITE_KEY}
                    destinations:
                      - type: memory
                        settings: {instance: i, apiKey: "${env:PRESENT_SECRET}-${env:MISSING_SECRET}"}
                """;
        List<String> errors = errors(yaml, Map.of("PRESENT_SECRET", "visible-secret-value"));

        assertThat(errors).contains("sources[0].writeKey: environment variable SLUICE_WRITE_KEY is not set");
        assertThat(errors).contains("sources[0].destinations[0].settings.apiKey: environment variable MISSING_SECRET is not set");
        assertThat(errors).allSatisfy(e -> assertThat(e).doesNotContain("visible-secret-value"));
    }

    @Test
    void deliveryKnobsAndDestinationNames() throws Exception {
        String yaml = """
                server: {host: 0.0.0.0, port: "9000", shutdownTimeoutMs: 1500}
                delivery: {maxBufferedBytes: 1048576, lingerMs: 10}
                sources:
                  - name: web
                    writeKey: k1
                    destinations:
                      - type: memory
                        name: first
                        settings: {instance: a}
                        delivery: {maxInFlightRequests: 2}
                      - type: memory
                        settings: {instance: b}
                """;
        SluiceConfig config = loader(Map.of()).read(yaml, "t");

        assertThat(config.server().host()).isEqualTo("0.0.0.0");
        assertThat(config.server().port()).isEqualTo(9000);
        assertThat(config.server().shutdownTimeout()).isEqualTo(Duration.ofMillis(1500));
        SluiceConfig.Destination first = config.sources().get(0).destinations().get(0);
        assertThat(first.name()).isEqualTo("first");
        assertThat(first.delivery().maxBufferedBytes()).isEqualTo(1048576);
        assertThat(first.delivery().linger()).isEqualTo(Duration.ofMillis(10));
        assertThat(first.delivery().maxInFlightRequests()).isEqualTo(2);
        SluiceConfig.Destination second = config.sources().get(0).destinations().get(1);
        assertThat(second.name()).isEqualTo("web/memory");
        assertThat(second.delivery().maxInFlightRequests()).isEqualTo(8);
    }

    @Test
    void duplicateDestinationNamesAreRefused() {
        String yaml = """
                sources:
                  - name: web
                    writeKey: k1
                    destinations:
                      - {type: memory, settings: {instance: a}}
                      - {type: memory, settings: {instance: b}}
                """;
        assertThat(errors(yaml, Map.of())).anySatisfy(e -> assertThat(e)
                .startsWith("sources[0].destinations[1]: destination name 'web/memory' is already used"));
    }

    @Test
    void yamlSyntaxErrorQuotesNoContent() {
        String yaml = "sources:\n  - name: web\n    writeKey: \"unterminated-secret-key\n";
        assertThatThrownBy(() -> loader(Map.of()).read(yaml, "bad.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("bad.yaml: not valid YAML")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("unterminated-secret-key"));
    }

    @Test
    void missingFileIsOneClearError() {
        assertThatThrownBy(() -> loader(Map.of()).load(Path.of("/nonexistent/sluice.yaml")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("/nonexistent/sluice.yaml: no such file");
    }
}
