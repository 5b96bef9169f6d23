package io.sluice.runner.reliability;

import static io.sluice.runner.testing.TestSluice.basic;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.kinesis.local.Kinesalite;
import io.sluice.runner.testing.Cli;
import io.sluice.runner.testing.TestSluice;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A destination's backlog bound ({@code delivery.maxBacklogBytes}) with each policy, against
 * kinesalite made unreachable through a {@link TcpProxy}: {@code deadLetter} keeps the source
 * flowing and writes the overflow to the dead-letter file, which {@code sluice send} replays;
 * {@code block} refuses requests routed to the full destination with 507, and a source that does
 * not route to it keeps flowing.
 */
class BacklogBoundTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String KEY = "bound-key";
    static final String OTHER_KEY = "other-key";
    static final int BOUND = 20_000;

    @TempDir
    Path dir;

    @Test
    @Timeout(180)
    void deadLetterPolicySendsTheOverflowToTheDeadLetterFileAndSendReplaysIt() throws Exception {
        try (Kinesalite kinesis = Kinesalite.start(); TcpProxy path = TcpProxy.to(kinesis.endpoint())) {
            kinesis.createStream("events", 1);
            path.cut();
            Set<String> accepted = new HashSet<>();
            Set<String> overflow;
            long backlog;
            try (TestSluice sluice = TestSluice.start(dir, config(path.endpoint(), "deadLetter"))) {
                for (int b = 0; b < 20; b++) {
                    List<String> ids = ids(b);
                    HttpResponse<String> answer = sluice.post("/v1/batch", batch(ids), basic(KEY));
                    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
                    accepted.addAll(ids);
                }
                backlog = sluice.server().pipeline().routes().get(0).backlog().events();
                List<JsonNode> lines = new ArrayList<>();
                for (String line : sluice.deadLetterLines()) {
                    lines.add(JSON.readTree(line));
                }
                assertThat(lines).isNotEmpty().allSatisfy(l -> {
                    assertThat(l.get("reason").asText()).startsWith("backlog_full");
                    assertThat(l.get("destination").asText()).isEqualTo("web/kinesis");
                });
                overflow = lines.stream().map(l -> l.get("call").get("messageId").asText()).collect(Collectors.toSet());
                assertThat(sluice.get("/metrics").body())
                        .contains("sluice_events_failed_total{destination=\"web/kinesis\"} " + overflow.size() + ".0");
            }
            assertThat(backlog + overflow.size()).as("every accepted event is in the backlog or the file").isEqualTo(200);
            assertThat(overflow).hasSizeGreaterThan(100);

            Path replay = Files.move(dir.resolve("dead-letter.ndjson"), dir.resolve("to-replay.ndjson"));
            String web = config(kinesis.endpoint(), "deadLetter");
            Path direct = Files.writeString(dir.resolve("direct.yaml"), "deadLetter: {path: '" + dir.resolve("again.ndjson")
                    + "'}\n" + web.substring(0, web.indexOf("  - name: other")));
            Cli send = Cli.run("send", "--config", direct.toString(), "--timeout", "60s", replay.toString());
            assertThat(send.exitCode()).as(send.out() + send.err()).isZero();
            Set<String> delivered = kinesis.records("events").stream()
                    .map(r -> FaultInjectingKinesis.messageId(Base64.getEncoder().encodeToString(r.data().asByteArray())))
                    .collect(Collectors.toSet());
            assertThat(delivered).containsAll(overflow);
        }
    }

    @Test
    @Timeout(120)
    void blockPolicyRefusesWhatIsRoutedToTheFullDestinationAndNothingElse() throws Exception {
        try (Kinesalite kinesis = Kinesalite.start(); TcpProxy path = TcpProxy.to(kinesis.endpoint())) {
            kinesis.createStream("events", 1);
            path.cut();
            try (TestSluice sluice = TestSluice.start(dir, config(path.endpoint(), "block"))) {
                HttpResponse<String> refused = null;
                for (int b = 0; b < 20 && refused == null; b++) {
                    HttpResponse<String> answer = sluice.post("/v1/batch", batch(ids(b)), basic(KEY));
                    if (answer.statusCode() != 200) {
                        refused = answer;
                    }
                }
                assertThat(refused).as("the bound was reached").isNotNull();
                assertThat(refused.statusCode()).isEqualTo(507);
                JsonNode body = JSON.readTree(refused.body());
                assertThat(body.get("code").asText()).isEqualTo("backlog_full");
                assertThat(body.get("message").asText()).contains("web/kinesis");
                assertThat(refused.headers().firstValue("Retry-After")).isPresent();
                long backlog = sluice.server().pipeline().routes().get(0).backlog().bytes();
                assertThat(backlog).as("the bound holds, to within one request").isLessThan(BOUND + 10_000);
                // A call that does not route to the full destination is taken.
                assertThat(sluice.post("/v1/track", "{\"userId\":\"u\",\"event\":\"e\",\"integrations\":{\"All\":false}}",
                        basic(KEY)).statusCode()).isEqualTo(200);
                assertThat(sluice.post("/v1/track", "{\"userId\":\"u\",\"event\":\"e\"}", basic(OTHER_KEY)).statusCode())
                        .as("another source keeps flowing").isEqualTo(200);
                assertThat(sluice.deadLetterLines()).isEmpty();

                path.reopen(kinesis.endpoint());
                assertThat(Waits.until(Duration.ofSeconds(60), () -> {
                    try {
                        return sluice.post("/v1/batch", batch(ids(99)), basic(KEY)).statusCode() == 200;
                    } catch (Exception e) {
                        return false;
                    }
                })).as("taken again once the backlog drains").isTrue();
            }
        }
    }

    private static List<String> ids(int batch) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ids.add("bound-" + batch + "-" + i);
        }
        return ids;
    }

    private static String batch(List<String> ids) {
        return ids.stream().map(id -> "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"Bounded\",\"messageId\":\"" + id
                        + "\",\"properties\":{\"pad\":\"" + "b".repeat(200) + "\"}}")
                .collect(Collectors.joining(",", "{\"batch\":[", "]}"));
    }

    private static String config(URI endpoint, String whenFull) {
        return """
                sources:
                  - name: web
                    writeKey: %s
                    destinations:
                      - type: kinesis
                        settings: {region: us-east-1, stream: events, endpoint: "%s", accessKeyId: local, secretAccessKey: local}
                        delivery: {maxBacklogBytes: %d, whenFull: %s}
                  - name: other
                    writeKey: %s
                    destinations:
                      - type: memory
                        settings: {instance: bound-other}
                """.formatted(KEY, endpoint, BOUND, whenFull, OTHER_KEY);
    }
}
