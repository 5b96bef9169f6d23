package io.sluice.runner.e2e;

import static io.sluice.runner.testing.TestSluice.basic;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.kinesis.local.Kinesalite;
import io.sluice.runner.testing.AdminClient;
import io.sluice.runner.testing.EventStream;
import io.sluice.runner.testing.TestSluice;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.kinesis.model.Record;

/** The debugger feed over SSE: each call's validation result, each destination's outcome, the Kinesis receipt. */
class DebuggerFeedTest {

    static final String TOKEN = "admin-token-for-debugger-test";
    static final String KEY = "wk-debugger-test";

    @TempDir
    Path dir;

    @Test
    void aDeliveredEventShowsItsKinesisRecordAndARejectedCallItsErrors() throws Exception {
        try (Kinesalite kinesis = Kinesalite.start()) {
            kinesis.createStream("debugged", 2);
            String yaml = AdminClient.adminYaml(dir, TOKEN, "") + "sources:\n  - name: web\n    writeKey: " + KEY + "\n"
                    + "    destinations:\n      - type: kinesis\n        settings: {region: us-east-1, stream: debugged, endpoint: '"
                    + kinesis.endpoint() + "', accessKeyId: local, secretAccessKey: local}\n";
            try (TestSluice sluice = TestSluice.start(dir, yaml);
                 EventStream feed = EventStream.open(sluice.server().adminBaseUrl().orElseThrow(), TOKEN)) {
                assertThat(feed.response().statusCode()).isEqualTo(200);
                assertThat(feed.response().headers().firstValue("Content-Type")).get().asString().startsWith("text/event-stream");

                assertThat(sluice.post("/v1/track", "{\"userId\":\"user_7\",\"event\":\"Order Completed\",\"messageId\":\"debug-ok\"}",
                        basic(KEY)).statusCode()).isEqualTo(200);
                assertThat(sluice.post("/v1/track", "{\"userId\":\"user_7\",\"messageId\":\"debug-bad\"}", basic(KEY))
                        .statusCode()).isEqualTo(400);

                JsonNode delivered = feed.await("the delivered event", e -> e.path("messageId").asText().equals("debug-ok")
                        && e.at("/destinations/0/status").asText().equals("delivered"));
                Record record = kinesis.records("debugged").stream().filter(r -> new String(Base64.getDecoder().decode(
                        r.data().asUtf8String()), StandardCharsets.UTF_8).contains("\"debug-ok\"")).findFirst().orElseThrow();
                assertThat(delivered.get("source").asText()).isEqualTo("web");
                assertThat(delivered.get("type").asText()).isEqualTo("track");
                assertThat(delivered.get("event").asText()).isEqualTo("Order Completed");
                assertThat(delivered.at("/validation/valid").asBoolean()).isTrue();
                assertThat(delivered.at("/destinations/0/name").asText()).isEqualTo("web/kinesis");
                assertThat(delivered.at("/destinations/0/receipt/partitionKey").asText()).isEqualTo("user_7")
                        .isEqualTo(record.partitionKey());
                assertThat(delivered.at("/destinations/0/receipt/sequenceNumber").asText()).isEqualTo(record.sequenceNumber());
                assertThat(delivered.at("/destinations/0/receipt/shardId").asText()).startsWith("shardId-");
                assertThat(delivered.at("/payload/messageId").asText()).isEqualTo("debug-ok");

                JsonNode rejected = feed.await("the rejected call", e -> e.path("messageId").asText().equals("debug-bad"));
                assertThat(rejected.at("/validation/valid").asBoolean()).isFalse();
                assertThat(rejected.at("/validation/errors/0/code").asText()).isNotEmpty();
                assertThat(rejected.at("/validation/errors/0/message").asText()).contains("event");
                assertThat(rejected.get("destinations")).isEmpty();

                // A new listener gets what happened before it connected.
                try (EventStream late = EventStream.open(sluice.server().adminBaseUrl().orElseThrow(), TOKEN)) {
                    late.await("the replayed delivered event", e -> e.path("messageId").asText().equals("debug-ok")
                            && e.at("/destinations/0/receipt/sequenceNumber").asText().equals(record.sequenceNumber()));
                    late.await("the replayed rejected call", e -> e.path("messageId").asText().equals("debug-bad"));
                }
                JsonNode snapshot = new AdminClient(sluice.server().adminBaseUrl().orElseThrow(), TOKEN).getJson("/api/events");
                assertThat(snapshot.get("events")).extracting(e -> e.path("messageId").asText()).contains("debug-ok", "debug-bad");
                assertThat(String.join("\n", feed.lines())).doesNotContain(KEY);
            }
        }
    }
}
