package io.sluice.runner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.runner.testing.Cli;
import io.sluice.runner.testing.PluginJars;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CommandLineTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"", "serve", "send", "destinations", "validate", "tail"})
    void helpOnEveryCommandExitsZero(String command) {
        Cli result = command.isEmpty() ? Cli.run("--help") : Cli.run(command, "--help");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains("Usage: sluice" + (command.isEmpty() ? "" : " " + command));
    }

    @Test
    void helpSubcommandAndVersion() {
        assertThat(Cli.run("help", "tail").exitCode()).isZero();
        Cli version = Cli.run("--version");
        assertThat(version.exitCode()).isZero();
        assertThat(version.out()).startsWith("sluice ");
    }

    @Test
    void unknownOptionIsAUsageError() {
        Cli result = Cli.run("validate", "--config", "x.yaml", "--nope");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("Unknown option");
    }

    @Test
    void validateExitsZeroForAValidFile() throws Exception {
        Path config = Files.writeString(dir.resolve("ok.yaml"), """
                sources:
                  - name: web
                    writeKey: valid-key-1
                    destinations:
                      - type: kinesis
                        settings: {region: us-east-1, stream: events, endpoint: "http://127.0.0.1:1",
                                   accessKeyId: AKIDVALIDATE, secretAccessKey: validate-secret-1}
                """);

        Cli result = Cli.run("validate", "--config", config.toString(), "--plugins", dir.toString());

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains("is valid").contains("web/kinesis").doesNotContain("valid-key-1");
    }

    @Test
    void validateExitsOneAndListsEveryError() throws Exception {
        Path config = Files.writeString(dir.resolve("bad.yaml"), """
                server: {port: -1}
                sources:
                  - name: web
                    writeKey: the-secret-write-key
                    destinations:
                      - type: kinesis
                        settings: {stream: events, secretAccessKey: the-aws-secret}
                """);

        Cli result = Cli.run("validate", "--config", config.toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err())
                .contains("server.port")
                .contains("sources[0].destinations[0].settings.region: is required")
                .contains("sources[0].destinations[0].settings.accessKeyId")
                .doesNotContain("the-secret-write-key")
                .doesNotContain("the-aws-secret");
    }

    @Test
    void validateOpensEachDestinationSoOneThatCannotStartIsInvalidAndItsSecretIsBlanked() throws Exception {
        Path config = Files.writeString(dir.resolve("open.yaml"), """
                sources:
                  - name: web
                    writeKey: k
                    destinations:
                      - type: memory
                        name: fine
                        settings: {instance: validate-fine}
                      - type: memory
                        name: broken
                        settings: {instance: validate-broken, mode: fail-open, apiKey: the-memory-key-77}
                """);

        Cli result = Cli.run("validate", "--config", config.toString());

        assertThat(result.exitCode()).as(result.out() + result.err()).isEqualTo(1);
        assertThat(result.err()).contains("broken: the memory destination cannot be opened: cannot connect with key ******")
                .doesNotContain("fine:").doesNotContain("the-memory-key-77");
    }

    @Test
    void validateWithoutConfigIsAUsageError() {
        assertThat(Cli.run("validate").exitCode()).isEqualTo(2);
    }

    @Test
    void destinationsListsBuiltInAndPluginTypes() throws Exception {
        Path plugins = Files.createDirectory(dir.resolve("plugins"));
        Files.move(PluginJars.provider(dir, "tiny.jar", "org.example.tiny", "TinyProvider", "tiny"), plugins.resolve("tiny.jar"));

        Cli text = Cli.run("destinations", "--plugins", plugins.toString());
        assertThat(text.exitCode()).isZero();
        assertThat(text.out()).contains("kinesis").contains("Amazon Kinesis").contains("secretAccessKey")
                .contains("tiny").contains("tiny.jar").contains("greeting");

        Cli json = Cli.run("destinations", "--json", "--plugins", plugins.toString());
        assertThat(json.exitCode()).isZero();
        JsonNode list = JSON.readTree(json.out());
        JsonNode kinesis = null;
        for (JsonNode entry : list) {
            if (entry.get("type").asText().equals("kinesis")) {
                kinesis = entry;
            }
        }
        assertThat(kinesis).isNotNull();
        assertThat(kinesis.get("integrationName").asText()).isEqualTo("Amazon Kinesis");
        JsonNode schema = kinesis.get("settingsSchema");
        assertThat(schema.get("$schema").asText()).contains("json-schema.org");
        assertThat(schema.get("properties").get("secretAccessKey").get("writeOnly").asBoolean()).isTrue();
        assertThat(schema.get("required").toString()).contains("stream").contains("region");
        assertThat(list.findValuesAsText("type")).contains("tiny", "memory");
    }

    @Test
    void validateAcceptsATypeFromAPluginJar() throws Exception {
        Path plugins = Files.createDirectory(dir.resolve("plugins"));
        Files.move(PluginJars.provider(dir, "tiny.jar", "org.example.tiny", "TinyProvider", "tiny"), plugins.resolve("tiny.jar"));
        Path config = Files.writeString(dir.resolve("tiny.yaml"), """
                sources:
                  - name: web
                    writeKey: k
                    destinations:
                      - type: tiny
                        settings: {greeting: hi}
                """);

        assertThat(Cli.run("validate", "--config", config.toString()).exitCode()).isEqualTo(1);
        Cli result = Cli.run("validate", "--config", config.toString(), "--plugins", plugins.toString());
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("web/tiny");
    }

    @Test
    void destinationsWithABadPluginJarFailsClearly() throws Exception {
        Path plugins = Files.createDirectory(dir.resolve("plugins"));
        Files.move(PluginJars.withoutProvider(dir, "nothing.jar"), plugins.resolve("nothing.jar"));

        Cli result = Cli.run("destinations", "--plugins", plugins.toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("plugins cannot be loaded").contains("nothing.jar").contains("no destination provider");
    }

    @Test
    void tailRejectsAnUnknownStartingPosition() {
        Cli result = Cli.run("tail", "--type", "kinesis", "--settings", "s.json", "--from", "yesterday");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).contains("--from must be earliest or latest");
    }

    @Test
    void tailNeedsADestinationOrATypeButNotBoth() {
        assertThat(Cli.run("tail").exitCode()).isEqualTo(2);
        assertThat(Cli.run("tail", "--type", "kinesis").exitCode()).isEqualTo(2);
        assertThat(Cli.run("tail", "--type", "kinesis", "--settings", "s.json", "--destination", "x", "--config", "c.yaml")
                .exitCode()).isEqualTo(2);
    }

    @Test
    void tailOfADestinationWithoutAReaderSaysSo() throws Exception {
        Path settings = Files.writeString(dir.resolve("memory.json"), "{\"instance\": \"tail-memory\"}");

        Cli result = Cli.run("tail", "--type", "memory", "--settings", settings.toString(), "--timeout", "1s");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("the memory destination cannot be read back")
                .contains("DestinationProvider.reader");
    }
}
