package io.sluice.core.spool;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.spi.event.Event;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A restart reads what an earlier run left page by page, never what this run appends. */
class SpoolReplayPagesTest {

    @TempDir
    Path dir;

    @Test
    void pagesHoldWhatAnEarlierRunLeftAndDoneForgetsIt() {
        Path file = dir.resolve("spool.db");
        try (Spool spool = Spool.open(file, SpoolPolicy.defaults())) {
            for (int i = 0; i < 25; i++) {
                spool.append(SpoolTest.routed(List.of("a"), SpoolTest.event("a" + i))).join();
                if (i % 5 == 0) {
                    spool.append(SpoolTest.routed(List.of("b"), SpoolTest.event("b" + i))).join();
                }
            }
        }
        List<String> replayed = new ArrayList<>();
        try (Spool spool = Spool.open(file, SpoolPolicy.defaults())) {
            spool.append(SpoolTest.routed(List.of("a", "b"), SpoolTest.event("this-run"))).join();
            assertThat(spool.pendingDestinations()).containsExactly("a", "b");
            List<Integer> sizes = new ArrayList<>();
            long after = 0;
            while (true) {
                Spool.Page page = spool.pendingPage("a", after, 10);
                if (page.events().isEmpty()) {
                    break;
                }
                sizes.add(page.events().size());
                page.events().forEach(e -> replayed.add(e.messageId()));
                page.events().stream().filter(e -> e.messageId().endsWith("0")).forEach(e -> spool.done("a", e));
                after = page.lastRow();
            }
            assertThat(sizes).containsExactly(10, 10, 5);
            assertThat(spool.pendingPage("b", 0, 100).events()).extracting(Event::messageId)
                    .containsExactly("b0", "b5", "b10", "b15", "b20");
        }
        assertThat(replayed).hasSize(25).doesNotContain("this-run").startsWith("a0", "a1", "a2");
        try (Spool spool = Spool.open(file, SpoolPolicy.defaults())) {
            assertThat(spool.pending().get("a")).extracting(Event::messageId)
                    .hasSize(25 - 3 + 1).doesNotContain("a0", "a10", "a20").contains("this-run");
        }
    }
}
