package io.sluice.core.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.sluice.spi.event.Event;
import io.sluice.spi.event.EventType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The spool on a disk that fills up (a 1 MiB tmpfs; mounting needs root, so the test is skipped
 * without it): appends fail at once with {@link SpoolFullException}, never hang, the spool keeps
 * working once there is space again, and what was committed before is all there after a reopen.
 */
class SpoolDiskFullTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(SpoolPolicy.Fsync.class)
    @Timeout(120)
    void aFullDiskFailsAppendsWithoutStoppingTheSpool(SpoolPolicy.Fsync fsync) throws Exception {
        Path disk = Files.createDirectories(dir.resolve("disk"));
        assumeThat(run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", disk.toString())).as("mount (needs root)").isZero();
        try {
            Path file = disk.resolve("spool.db");
            SpoolPolicy policy = SpoolPolicy.defaults().withFsync(fsync, Duration.ofMillis(50));
            List<Event> committed = new ArrayList<>();
            Throwable failure = null;
            try (Spool spool = Spool.open(file, policy)) {
                SpoolReader d = spool.reader("d");
                for (int i = 0; i < 2_000 && failure == null; i++) {
                    List<Spool.Routed> routed = batch(d, "a" + i);
                    try {
                        spool.append(routed).get(10, TimeUnit.SECONDS);
                        routed.forEach(r -> committed.add(r.event()));
                    } catch (ExecutionException e) {
                        failure = e.getCause();
                    }
                }
                assertThat(failure).as("the 1 MiB disk fills up").isInstanceOf(SpoolFullException.class);
                assertThat(failure.getMessage()).contains("disk holding the spool is full");
                // Still full: the next append fails too, at once rather than after a timeout.
                assertThat(spool.append(batch(d, "still-full"))).failsWithin(10, TimeUnit.SECONDS);

                assertThat(run("mount", "-o", "remount,size=8m", disk.toString())).isZero();
                List<Spool.Routed> after = batch(d, "after");
                spool.append(after).get(10, TimeUnit.SECONDS);
                after.forEach(r -> committed.add(r.event()));
                Handed.Item first = Handed.all(d, committed.size()).items().get(0);
                d.finished(first.position(), first.event());
                List<Spool.Routed> last = batch(d, "last");
                spool.append(last).get(10, TimeUnit.SECONDS);
                last.forEach(r -> committed.add(r.event()));
            }
            try (Spool reopened = Spool.open(file, SpoolPolicy.defaults())) {
                int left = committed.size() - 1;
                assertThat(Handed.all(reopened.reader("d"), left).messageIds())
                        .containsExactlyElementsOf(committed.stream().skip(1).map(Event::messageId).toList());
            }
        } finally {
            run("umount", "-l", disk.toString());
        }
    }

    /** An event the table cannot hold (here a timestamp past what epoch milliseconds reach) fails its append, not the spool. */
    @Test
    @Timeout(60)
    void anUnstorableEventFailsItsAppendAndTheSpoolGoesOn() throws Exception {
        try (Spool spool = Spool.open(dir.resolve("spool.db"), SpoolPolicy.defaults())) {
            Event bad = Event.builder(EventType.TRACK, "bad", "{}".getBytes(StandardCharsets.UTF_8))
                    .userId("u").eventName("E").timestamp(Instant.MAX).receivedAt(Instant.now()).build();
            SpoolReader d = spool.reader("d");
            assertThat(spool.append(List.of(new Spool.Routed(bad, List.of(d))))).failsWithin(10, TimeUnit.SECONDS);
            List<Spool.Routed> good = batch(d, "good");
            spool.append(good).get(10, TimeUnit.SECONDS);
            assertThat(Handed.all(d, 20).items()).hasSize(20);
            assertThat(d.backlog().events()).isEqualTo(20);
            assertThat(spool.bytes()).isEqualTo(good.stream().mapToLong(r -> r.event().jsonLength()).sum());
        }
    }

    private static List<Spool.Routed> batch(SpoolReader reader, String prefix) {
        List<Spool.Routed> routed = new ArrayList<>();
        for (int j = 0; j < 20; j++) {
            String id = prefix + "-" + j;
            byte[] json = ("{\"type\":\"track\",\"messageId\":\"" + id + "\",\"pad\":\"" + "x".repeat(200) + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
            routed.add(new Spool.Routed(Event.builder(EventType.TRACK, id, json).userId("u").eventName("E")
                    .timestamp(Instant.ofEpochMilli(1_700_000_000_000L)).receivedAt(Instant.ofEpochMilli(1_700_000_000_000L))
                    .build(), List.of(reader)));
        }
        return routed;
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return -1;
        }
        return process.exitValue();
    }
}
