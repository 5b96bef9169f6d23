package io.sluice.core.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keeps the replay-memory benchmark honest: every event it fills is replayed and delivered. */
class BacklogReplayMemoryTest {

    @TempDir
    Path dir;

    @Test
    void everyEventOfTheBacklogIsReplayed() throws Exception {
        Path file = dir.resolve("spool.db");
        long events = BacklogReplayMemory.fill(file, 4L << 20);
        long[] result = BacklogReplayMemory.replay(file);
        assertThat(events).isGreaterThan(2_000);
        assertThat(result[0]).isEqualTo(events);
    }
}
