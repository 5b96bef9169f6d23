package io.sluice.runner.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.runner.testing.Cli;
import io.sluice.runner.testing.MemoryDestinationProvider;
import io.sluice.spi.event.Event;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SendCommandTest {

    @TempDir
    Path dir;

    Path config(String instance, String mode) throws Exception {
        return Files.writeString(dir.resolve("sluice.yaml"), """
                deadLetter: {path: '%s'}
                sources:
                  - name: web
                    writeKey: send-test-key
                    destinations:
                      - type: memory
                        settings: {instance: %s, mode: %s}
                """.formatted(dir.resolve("dead.ndjson"), instance, mode));
    }

    @Test
    void replaysNdjsonBatchesAndDeadLetterLinesAndSummarises() throws Exception {
        String instance = "send-" + UUID.randomUUID();
        Path input = Files.writeString(dir.resolve("calls.ndjson"), String.join("\n",
                "{\"type\":\"track\",\"userId\":\"u1\",\"event\":\"A\",\"messageId\":\"n-1\"}",
                "",
                "{\"type\":\"identify\",\"userId\":\"u2\",\"messageId\":\"n-2\"}",
                "{\"type\":\"track\",\"userId\":\"u3\",\"messageId\":\"n-3\"}",
                "this is not json",
                "{\"batch\":[{\"type\":\"page\",\"userId\":\"u4\",\"messageId\":\"b-1\"},"
                        + "{\"type\":\"track\",\"event\":\"x\",\"messageId\":\"b-2\"}],\"context\":{\"app\":{\"name\":\"replayed\"}}}",
                "{\"reason\":\"shutdown before delivery\",\"errors\":[],\"source\":\"web\",\"destination\":\"web/memory\","
                        + "\"call\":{\"type\":\"track\",\"userId\":\"u5\",\"event\":\"Again\",\"messageId\":\"d-1\"}}",
                ""));

        Cli result = Cli.run("send", "--config", config(instance, "deliver").toString(), input.toString());

        assertThat(result.exitCode()).as(result.err()).isEqualTo(1);
        assertThat(result.out())
                .contains("sent:      4 event(s)")
                .contains("delivered: 4 to web/memory")
                .contains("rejected:  3 call(s)")
                .contains("missing_event").contains("first at line 4")
                .contains("invalid_json").contains("line 5")
                .contains("no_user_anon_id").contains("line 6, batch[1]")
                .contains("failed:    0 event(s)");
        assertThat(MemoryDestinationProvider.instance(instance).delivered()).extracting(Event::messageId)
                .containsExactlyInAnyOrder("n-1", "n-2", "b-1", "d-1");
        Event page = MemoryDestinationProvider.instance(instance).delivered().stream()
                .filter(e -> e.messageId().equals("b-1")).findFirst().orElseThrow();
        assertThat(page.jsonText()).contains("replayed");
    }

    @Test
    void cleanReplayExitsZero() throws Exception {
        String instance = "send-" + UUID.randomUUID();
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 1200; i++) {
            lines.append("{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"messageId\":\"c-").append(i).append("\"}\n");
        }
        Path input = Files.writeString(dir.resolve("clean.ndjson"), lines);

        Cli result = Cli.run("send", "--config", config(instance, "deliver").toString(), input.toString());

        assertThat(result.exitCode()).as(result.out() + result.err()).isZero();
        assertThat(result.out()).contains("sent:      1200 event(s)").contains("delivered: 1200 to web/memory");
        assertThat(MemoryDestinationProvider.instance(instance).delivered()).hasSize(1200);
    }

    @Test
    void prettyPrintedBatchFileIsRead() throws Exception {
        String instance = "send-" + UUID.randomUUID();
        Path input = Files.writeString(dir.resolve("batch.json"), """
                {
                  "batch": [
                    {"type": "track", "userId": "u", "event": "One", "messageId": "p-1"},
                    {"type": "alias", "userId": "u", "previousId": "a", "messageId": "p-2"}
                  ]
                }
                """);

        Cli result = Cli.run("send", "--config", config(instance, "deliver").toString(), input.toString());

        assertThat(result.exitCode()).as(result.out() + result.err()).isZero();
        assertThat(MemoryDestinationProvider.instance(instance).delivered()).extracting(Event::messageId)
                .containsExactlyInAnyOrder("p-1", "p-2");
    }

    @Test
    void eventsTheDestinationRejectsAreFailures() throws Exception {
        String instance = "send-" + UUID.randomUUID();
        Path input = Files.writeString(dir.resolve("one.ndjson"),
                "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"messageId\":\"r-1\"}\n");

        Cli result = Cli.run("send", "--config", config(instance, "reject").toString(), input.toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.out()).contains("failed:    1 event(s)").contains("web/memory: memory refuses r-1")
                .contains("dead-letter file");
        assertThat(Files.readString(dir.resolve("dead.ndjson"))).contains("r-1");
    }

    @Test
    void refusesToReadTheDeadLetterFileItWritesTo() throws Exception {
        Path config = config("send-" + UUID.randomUUID(), "deliver");
        Files.writeString(dir.resolve("dead.ndjson"), "{\"call\":{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\"}}\n");

        Cli result = Cli.run("send", "--config", config.toString(), dir.resolve("dead.ndjson").toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("is the dead-letter file itself");
    }
}
