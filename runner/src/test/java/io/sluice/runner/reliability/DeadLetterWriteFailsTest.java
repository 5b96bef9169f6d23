package io.sluice.runner.reliability;

import static io.sluice.runner.testing.TestSluice.basic;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.runner.routing.Route;
import io.sluice.runner.testing.MemoryDestinationProvider;
import io.sluice.runner.testing.TestSluice;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A destination refuses events for good while the dead-letter file cannot be written (its folder
 * is a plain file): the events stay in the spool, counted in the backlog, and reach the file once
 * it can be written. Nothing is released before it is recorded somewhere.
 */
class DeadLetterWriteFailsTest {

    static final String KEY = "dlq-fails-key";

    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void anEventWhoseDeadLetterWriteFailsStaysInTheSpoolUntilTheWriteWorks() throws Exception {
        Path blocker = Files.writeString(dir.resolve("blocked"), "not a folder");
        Path deadLetter = blocker.resolve("dead-letter.ndjson");
        String yaml = "deadLetter: {path: '" + deadLetter + "'}\n"
                + TestSluice.memorySource(KEY, "dlq-fails", ", mode: reject")
                + "delivery: {lingerMs: 0}\n";
        try (TestSluice sluice = TestSluice.start(dir, yaml)) {
            for (int i = 0; i < 3; i++) {
                assertThat(sluice.post("/v1/track", "{\"userId\":\"u\",\"event\":\"e\",\"messageId\":\"kept-" + i + "\"}",
                        basic(KEY)).statusCode()).isEqualTo(200);
            }
            Route route = sluice.server().pipeline().routes().get(0);
            // The destination refuses, the write fails, the engine sends again later: several rounds.
            var destination = MemoryDestinationProvider.instance("dlq-fails");
            assertThat(Waits.until(Duration.ofSeconds(30), () -> destination.requests() >= 3))
                    .as("the events were refused and tried again").isTrue();
            assertThat(route.backlog().events()).as("kept while the file cannot be written").isEqualTo(3);
            assertThat(route.tally().failures()).as("nothing counted as dead-lettered yet").isEmpty();

            Files.delete(blocker);
            assertThat(Waits.until(Duration.ofSeconds(30), () -> route.backlog().events() == 0)).isTrue();
            assertThat(Files.readAllLines(deadLetter)).hasSize(3)
                    .allSatisfy(line -> assertThat(line).contains("memory refuses kept-"));
        }
    }
}
