package io.sluice.runner.reliability;

import io.sluice.kinesis.local.Kinesalite;
import static io.sluice.runner.testing.TestSluice.basic;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.runner.testing.Cli;
import io.sluice.runner.testing.TestSluice;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rejected events reach the dead-letter file with their reason and destination, and {@code sluice
 * send} delivers them once the cause is fixed: here Kinesis's record limit was set too low
 * ({@code maxRecordBytes: 1000}), so large events were refused for good; the fixed configuration
 * replays the file. Calls that broke the Spec are in the file too (destination null) and are
 * refused again until someone edits them.
 */
class DeadLetterReplayTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String KEY = "dead-letter-key";

    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void refusedEventsAreDeadLetteredAndReplayedAfterAFix() throws Exception {
        try (Kinesalite kinesis = Kinesalite.start()) {
            kinesis.createStream("events", 1);
            String destination = "{region: us-east-1, stream: events, endpoint: \"" + kinesis.endpoint()
                    + "\", accessKeyId: local, secretAccessKey: local%s}";
            String sources = """
                    sources:
                      - name: web
                        writeKey: %s
                        destinations:
                          - type: kinesis
                            settings: %s
                    """;
            String big = "x".repeat(2_000);
            StringBuilder batch = new StringBuilder("{\"batch\":[");
            for (int i = 0; i < 5; i++) {
                batch.append("{\"type\":\"track\",\"userId\":\"u\",\"event\":\"Small\",\"messageId\":\"small-").append(i).append("\"},");
            }
            for (int i = 0; i < 3; i++) {
                batch.append("{\"type\":\"track\",\"userId\":\"u\",\"event\":\"Big\",\"messageId\":\"big-").append(i)
                        .append("\",\"properties\":{\"blob\":\"").append(big).append("\"}},");
            }
            batch.append("{\"type\":\"track\",\"userId\":\"u\",\"messageId\":\"no-event-0\"},");
            batch.append("{\"type\":\"track\",\"event\":\"No User\",\"messageId\":\"no-user-0\"}]}");

            List<String> lines;
            try (TestSluice sluice = TestSluice.start(dir, sources.formatted(KEY, destination.formatted(", maxRecordBytes: 1000")))) {
                HttpResponse<String> answer = sluice.post("/v1/batch", batch.toString(), basic(KEY));
                assertThat(answer.statusCode()).isEqualTo(200);
                assertThat(Waits.until(Duration.ofSeconds(30), () -> lines(sluice).size() >= 5)).isTrue();
                lines = lines(sluice);
            }
            List<JsonNode> dead = new ArrayList<>();
            for (String line : lines) {
                dead.add(JSON.readTree(line));
            }
            Map<String, String> destinationById = dead.stream().collect(Collectors.toMap(
                    d -> d.get("call").path("messageId").asText(), d -> d.get("destination").asText("null")));
            assertThat(destinationById).containsEntry("big-0", "web/kinesis").containsEntry("big-2", "web/kinesis")
                    .containsEntry("no-event-0", "null").containsEntry("no-user-0", "null").hasSize(5);
            assertThat(dead).filteredOn(d -> d.get("destination").isTextual())
                    .allSatisfy(d -> assertThat(d.get("reason").asText()).contains("maxRecordBytes is 1000"));
            assertThat(dead).filteredOn(d -> d.get("destination").isNull())
                    .allSatisfy(d -> assertThat(d.get("errors").get(0).get("code").asText()).isIn("missing_event", "no_user_anon_id"));

            // The fix: the stream takes 1 MiB records. Move the file aside (send refuses to append to what it reads).
            Path replay = Files.move(dir.resolve("dead-letter.ndjson"), dir.resolve("to-replay.ndjson"));
            Path fixed = Files.writeString(dir.resolve("fixed.yaml"), "deadLetter: {path: '" + dir.resolve("again.ndjson") + "'}\n"
                    + sources.formatted(KEY, destination.formatted("")));
            Cli send = Cli.run("send", "--config", fixed.toString(), "--timeout", "60s", replay.toString());

            Set<String> delivered = kinesis.records("events").stream()
                    .map(r -> FaultInjectingKinesis.messageId(java.util.Base64.getEncoder().encodeToString(r.data().asByteArray())))
                    .collect(Collectors.toSet());
            Figures.of("dead-letter-replay").put("inputs", 10).put("accepted", 8).put("deadLettered", dead.size())
                    .put("refusedByDestination", dead.stream().filter(d -> d.get("destination").isTextual()).count())
                    .put("refusedAtIntake", dead.stream().filter(d -> d.get("destination").isNull()).count())
                    .put("replayedDelivered", delivered.stream().filter(id -> id.startsWith("big-")).count())
                    .put("sendExit", send.exitCode()).print();
            assertThat(delivered).contains("small-0", "small-1", "small-2", "small-3", "small-4", "big-0", "big-1", "big-2");
            assertThat(send.out()).contains("sent:      3 event(s)").contains("rejected:  2 call(s)");
            assertThat(send.exitCode()).as("exit 1: two calls still break the Spec").isEqualTo(1);
        }
    }

    private static List<String> lines(TestSluice sluice) {
        try {
            return sluice.deadLetterLines();
        } catch (java.io.IOException e) {
            return List.of();
        }
    }
}
