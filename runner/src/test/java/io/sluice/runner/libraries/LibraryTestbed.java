package io.sluice.runner.libraries;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.kinesis.local.Kinesalite;
import io.sluice.runner.testing.TestSluice;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.services.kinesis.model.Record;

/**
 * A Sluice with one source whose events go to a fresh stream on a local Kinesis (kinesalite), and
 * the six calls every library test sends: each has a field that names the test run, so records
 * from another test can never satisfy it.
 */
final class LibraryTestbed implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> SIX = List.of("identify", "track", "page", "screen", "group", "alias");

    final String writeKey = "wk-" + UUID.randomUUID();
    final String run = "run" + UUID.randomUUID().toString().substring(0, 8);
    final String stream = "lib-" + run;
    private final Kinesalite kinesis;
    private final TestSluice sluice;

    /**
     * @param sourceExtra YAML lines added to the source, indented by four spaces (e.g. allowedOrigins)
     */
    LibraryTestbed(Kinesalite kinesis, Path dir, String sourceExtra) throws Exception {
        this.kinesis = kinesis;
        kinesis.createStream(stream, 1);
        this.sluice = TestSluice.start(dir, "sources:\n"
                + "  - name: app\n"
                + "    writeKey: " + writeKey + "\n"
                + sourceExtra
                + "    destinations:\n"
                + "      - type: kinesis\n"
                + "        settings:\n"
                + "          region: us-east-1\n"
                + "          stream: " + stream + "\n"
                + "          endpoint: " + kinesis.endpoint() + "\n"
                + "          accessKeyId: local\n"
                + "          secretAccessKey: local\n");
    }

    TestSluice sluice() {
        return sluice;
    }

    /** {@code http://127.0.0.1:PORT}. */
    String baseUrl() {
        return sluice.server().baseUrl();
    }

    /** {@code 127.0.0.1:PORT}: a host the mobile libraries prefix with a scheme themselves. */
    String hostAndPort() {
        return baseUrl().substring("http://".length());
    }

    String user() {
        return run + "-user";
    }

    /**
     * Waits until {@code types} have each arrived on the stream and returns the events by type;
     * fails on a duplicate (a call the library sent again, e.g. because it could not read the
     * answer) and on a write key in any record.
     */
    Map<String, JsonNode> awaitCalls(List<String> types) throws InterruptedException {
        Map<String, JsonNode> byType = new LinkedHashMap<>();
        List<JsonNode> events = new ArrayList<>();
        TestSluice.await("the calls " + types + " on " + stream, () -> {
            events.clear();
            for (Record record : kinesis.records(stream)) {
                String data = record.data().asUtf8String();
                assertThat(data).doesNotContain(writeKey);
                String json = new String(Base64.getDecoder().decode(data), StandardCharsets.UTF_8);
                assertThat(json).as("a record holds the write key").doesNotContain(writeKey);
                try {
                    events.add(JSON.readTree(json));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return events.stream().map(e -> e.path("type").asText()).collect(java.util.stream.Collectors.toSet())
                    .containsAll(types);
        });
        for (Record record : kinesis.records(stream)) {
            JsonNode event = readBase64(record);
            assertThat(byType.put(event.path("type").asText(), event))
                    .as("a second %s arrived: the library sent it again", event.path("type").asText()).isNull();
        }
        assertThat(byType.keySet()).containsExactlyInAnyOrderElementsOf(types);
        return byType;
    }

    /**
     * Asserts the distinctive field of each call the tests send, that Sluice normalised it, and
     * that {@code library} (context.library.name) sent it.
     */
    void assertSixCalls(Map<String, JsonNode> events, String library) {
        events.values().forEach(event -> {
            assertThat(event.path("context").path("library").path("name").asText()).as("context.library.name")
                    .isEqualTo(library);
            assertThat(event.path("messageId").asText()).isNotEmpty();
            assertThat(event.path("receivedAt").asText()).isNotEmpty();
            assertThat(event.path("timestamp").asText()).isNotEmpty();
            assertThat(event.has("writeKey")).isFalse();
        });
        if (events.containsKey("identify")) {
            assertThat(events.get("identify").path("userId").asText()).isEqualTo(user());
            assertThat(events.get("identify").path("traits").path("email").asText()).isEqualTo(run + "@example.com");
        }
        if (events.containsKey("track")) {
            assertThat(events.get("track").path("event").asText()).isEqualTo("Order Completed");
            assertThat(events.get("track").path("properties").path("orderId").asText()).isEqualTo(run + "-order");
        }
        if (events.containsKey("page")) {
            assertThat(events.get("page").path("name").asText()).isEqualTo("Pricing");
        }
        if (events.containsKey("screen")) {
            assertThat(events.get("screen").path("name").asText()).isEqualTo("Settings");
        }
        if (events.containsKey("group")) {
            assertThat(events.get("group").path("groupId").asText()).isEqualTo(run + "-group");
            assertThat(events.get("group").path("traits").path("name").asText()).isEqualTo("Initech");
        }
        if (events.containsKey("alias")) {
            assertThat(events.get("alias").path("userId").asText()).isEqualTo(run + "-alias");
            assertThat(events.get("alias").path("previousId").asText()).isEqualTo(user());
        }
    }

    private static JsonNode readBase64(Record record) {
        try {
            return JSON.readTree(Base64.getDecoder().decode(record.data().asUtf8String()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        sluice.close();
    }
}
