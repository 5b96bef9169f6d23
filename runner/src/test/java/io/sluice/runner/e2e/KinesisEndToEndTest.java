package io.sluice.runner.e2e;

import static io.sluice.runner.testing.TestSluice.basic;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.runner.testing.Cli;
import io.sluice.runner.testing.LocalKinesis;
import io.sluice.runner.testing.TestSluice;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Through HTTP into a local Kinesis server (kinesalite), and back out with {@code sluice tail}. */
class KinesisEndToEndTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String KEY = "e2e-write-key";

    @RegisterExtension
    static final LocalKinesis kinesis = new LocalKinesis();

    @TempDir
    Path dir;

    static String config(String stream, String extraSettings) {
        return "sources:\n"
                + "  - name: web\n"
                + "    writeKey: " + KEY + "\n"
                + "    destinations:\n"
                + "      - type: kinesis\n"
                + "        settings:\n"
                + "          region: us-east-1\n"
                + "          stream: " + stream + "\n"
                + "          endpoint: " + kinesis.endpoint() + "\n"
                + "          accessKeyId: local\n"
                + "          secretAccessKey: local\n"
                + extraSettings;
    }

    /** sluice tail of the configured destination, by name, as an operator would follow it. */
    Cli tail(String stream, int max) throws java.io.IOException {
        Path config = java.nio.file.Files.writeString(dir.resolve("tail-" + stream + ".yaml"), config(stream, ""));
        return Cli.run("tail", "--destination", "web/kinesis", "--config", config.toString(),
                "--from", "trim-horizon", "--max", Integer.toString(max), "--timeout", "60s");
    }

    /** sluice tail of a type with settings of its own. */
    Cli tailType(String stream, int max) throws java.io.IOException {
        Path settings = java.nio.file.Files.writeString(dir.resolve("tail-" + stream + ".json"), """
                {"region": "us-east-1", "stream": "%s", "endpoint": "%s", "accessKeyId": "local", "secretAccessKey": "local"}
                """.formatted(stream, kinesis.endpoint()));
        return Cli.run("tail", "--type", "kinesis", "--settings", settings.toString(),
                "--from", "earliest", "--max", Integer.toString(max), "--timeout", "60s");
    }

    static List<JsonNode> lines(Cli tail) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : tail.out().split("\n")) {
            if (!line.isBlank()) {
                lines.add(JSON.readTree(line));
            }
        }
        return lines;
    }

    @Test
    void theDocsTrackCallArrivesAndTailPrintsIt() throws Exception {
        kinesis.createStream("events", 2);
        String call = "{\"userId\":\"user_1\",\"event\":\"User Registered\",\"messageId\":\"e2e-doc-call\","
                + "\"properties\":{\"plan\":\"Pro Annual\",\"account_type\":\"Facebook\"}}";
        try (TestSluice sluice = TestSluice.start(dir, config("events", ""))) {
            HttpResponse<String> response = sluice.post("/v1/track", call, basic(KEY));
            assertThat(response.statusCode()).isEqualTo(200);

            Cli tail = tail("events", 1);

            assertThat(tail.exitCode()).as(tail.err()).isZero();
            JsonNode record = lines(tail).get(0);
            assertThat(record.get("partitionKey").asText()).isEqualTo("user_1");
            assertThat(record.get("shardId").asText()).startsWith("shardId-");
            assertThat(record.get("sequenceNumber").asText()).isNotEmpty();
            assertThat(record.get("approximateArrivalTimestamp").asText()).isNotEmpty();
            assertThat(record.get("encoding").asText()).isEqualTo("base64");
            JsonNode event = record.get("event");
            assertThat(event.get("messageId").asText()).isEqualTo("e2e-doc-call");
            assertThat(event.get("event").asText()).isEqualTo("User Registered");
            assertThat(event.get("properties").get("plan").asText()).isEqualTo("Pro Annual");
            assertThat(event.get("type").asText()).isEqualTo("track");
            assertThat(sluice.get("/health").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void tailFollowsEveryShardAndReadsJsonPayloads() throws Exception {
        kinesis.createStream("json-events", 4);
        StringBuilder batch = new StringBuilder("{\"batch\":[");
        for (int i = 0; i < 8; i++) {
            batch.append(i == 0 ? "" : ",").append("{\"type\":\"track\",\"userId\":\"user-").append(i)
                    .append("\",\"event\":\"E\",\"messageId\":\"j-").append(i).append("\"}");
        }
        batch.append("]}");
        try (TestSluice sluice = TestSluice.start(dir, config("json-events", "          payloadEncoding: json\n"))) {
            assertThat(sluice.post("/v1/batch", batch.toString(), basic(KEY)).statusCode()).isEqualTo(200);

            Cli tail = tailType("json-events", 8);

            assertThat(tail.exitCode()).as(tail.err()).isZero();
            List<JsonNode> records = lines(tail);
            assertThat(records).hasSize(8).allSatisfy(r -> assertThat(r.get("encoding").asText()).isEqualTo("json"));
            assertThat(records).extracting(r -> r.get("event").get("messageId").asText())
                    .containsExactlyInAnyOrder("j-0", "j-1", "j-2", "j-3", "j-4", "j-5", "j-6", "j-7");
            assertThat(records.stream().map(r -> r.get("shardId").asText()).distinct()).hasSizeGreaterThan(1);
        }
    }

    @Test
    void tailWithMaxFailsWhenTheTimeoutComesFirst() throws Exception {
        kinesis.createStream("quiet", 1);
        Path config = java.nio.file.Files.writeString(dir.resolve("quiet.yaml"), config("quiet", ""));

        Cli tail = Cli.run("tail", "--destination", "web/kinesis", "--config", config.toString(),
                "--from", "latest", "--max", "1", "--timeout", "1s");

        assertThat(tail.exitCode()).isEqualTo(1);
        assertThat(tail.err()).contains("0 of 1 message(s) arrived before the timeout");
    }

    @Test
    void tailOfAMissingStreamIsAClearErrorThatShowsNoSecret() throws Exception {
        Path config = java.nio.file.Files.writeString(dir.resolve("missing.yaml"),
                config("no-such-stream", "").replace("secretAccessKey: local", "secretAccessKey: tail-secret-4242"));

        Cli tail = Cli.run("tail", "--destination", "web/kinesis", "--config", config.toString(), "--timeout", "5s");

        assertThat(tail.exitCode()).isEqualTo(1);
        assertThat(tail.err()).contains("reading web/kinesis (kinesis) failed").contains("no-such-stream")
                .doesNotContain("tail-secret-4242");
    }

    @Test
    void tailOfAnUnknownDestinationNamesTheKnownOnes() throws Exception {
        Path config = java.nio.file.Files.writeString(dir.resolve("named.yaml"), config("events", ""));

        Cli tail = Cli.run("tail", "--destination", "web/nope", "--config", config.toString());

        assertThat(tail.exitCode()).isEqualTo(1);
        assertThat(tail.err()).contains("no destination named web/nope").contains("web/kinesis");
    }
}
