package io.sluice.core.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.spi.event.Event;
import io.sluice.spi.event.EventType;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConnection;
import org.sqlite.core.DB;

class SpoolTest {

    @TempDir
    Path dir;

    static Event event(String id) {
        String json = "{\"type\":\"alias\",\"messageId\":\"" + id + "\",\"userId\":\"ü-" + id + "\"}";
        return Event.builder(EventType.ALIAS, id, json.getBytes(StandardCharsets.UTF_8))
                .userId("ü-" + id).previousId("p").timestamp(Instant.ofEpochMilli(1_700_000_000_123L))
                .receivedAt(Instant.ofEpochMilli(1_700_000_000_456L)).build();
    }

    static Map<Event, List<String>> routed(List<String> destinations, Event... events) {
        Map<Event, List<String>> routed = new LinkedHashMap<>();
        for (Event e : events) {
            routed.put(e, destinations);
        }
        return routed;
    }

    @Test
    void appendedEventsSurviveAReopenWithEveryField() {
        Event original = event("m1");
        try (Spool spool = Spool.open(dir.resolve("spool.db"), SpoolPolicy.defaults())) {
            spool.append(routed(List.of("web/kinesis"), original)).join();
        }
        try (Spool spool = Spool.open(dir.resolve("spool.db"), SpoolPolicy.defaults())) {
            Map<String, List<Event>> pending = spool.pending();
            assertThat(pending).containsOnlyKeys("web/kinesis");
            Event back = pending.get("web/kinesis").get(0);
            assertThat(back.jsonText()).isEqualTo(original.jsonText());
            assertThat(back.type()).isEqualTo(EventType.ALIAS);
            assertThat(back.messageId()).isEqualTo("m1");
            assertThat(back.userId()).isEqualTo(original.userId());
            assertThat(back.previousId()).contains("p");
            assertThat(back.anonymousId()).isEmpty();
            assertThat(back.timestamp()).isEqualTo(original.timestamp());
            assertThat(back.receivedAt()).isEqualTo(original.receivedAt());
            assertThat(spool.bytes()).isEqualTo(original.jsonLength());
        }
    }

    @Test
    void doneForgetsOneDestinationAtATime() {
        Event a = event("a");
        Event b = event("b");
        try (Spool spool = Spool.open(dir.resolve("spool.db"), SpoolPolicy.defaults())) {
            spool.append(routed(List.of("one", "two"), a, b)).join();
            assertThat(spool.bytes()).isEqualTo(2L * (a.jsonLength() + b.jsonLength()));
            spool.done("one", a);
            spool.done("two", b);
            spool.done("two", b); // twice is harmless
            assertThat(spool.bytes()).isEqualTo(a.jsonLength() + b.jsonLength());
        }
        try (Spool spool = Spool.open(dir.resolve("spool.db"), SpoolPolicy.defaults())) {
            Map<String, List<Event>> pending = spool.pending();
            assertThat(pending.get("one")).extracting(Event::messageId).containsExactly("b");
            assertThat(pending.get("two")).extracting(Event::messageId).containsExactly("a");
            spool.done("one", pending.get("one").get(0));
            spool.done("two", pending.get("two").get(0));
        }
        try (Spool spool = Spool.open(dir.resolve("spool.db"), SpoolPolicy.defaults())) {
            assertThat(spool.pending()).isEmpty();
            assertThat(spool.bytes()).isZero();
        }
    }

    @Test
    void roomIsBoundedInBytes() {
        Event e = event("m");
        SpoolPolicy small = SpoolPolicy.defaults().withMaxBytes(3L * e.jsonLength());
        try (Spool spool = Spool.open(dir.resolve("spool.db"), small)) {
            assertThat(spool.hasRoomFor(3L * e.jsonLength())).isTrue();
            spool.append(routed(List.of("d"), event("1"), event("2"))).join();
            assertThat(spool.hasRoomFor(e.jsonLength())).isTrue();
            assertThat(spool.hasRoomFor(e.jsonLength() + 1L)).isFalse();
        }
        try (Spool spool = Spool.open(dir.resolve("spool.db"), small)) {
            assertThat(spool.hasRoomFor(e.jsonLength() + 1L)).as("bytes are counted again on reopen").isFalse();
        }
    }

    @Test
    void intervalFsyncStillCompletesAppends() {
        SpoolPolicy interval = SpoolPolicy.defaults().withFsync(SpoolPolicy.Fsync.INTERVAL, Duration.ofMillis(5));
        try (Spool spool = Spool.open(dir.resolve("spool.db"), interval)) {
            for (int i = 0; i < 50; i++) {
                spool.append(routed(List.of("d"), event("m" + i))).join();
            }
        }
        try (Spool spool = Spool.open(dir.resolve("spool.db"), interval)) {
            assertThat(spool.pending().get("d")).hasSize(50);
        }
    }

    @Test
    void appendAfterCloseFails() {
        Spool spool = Spool.open(dir.resolve("spool.db"), SpoolPolicy.defaults());
        spool.close();
        assertThatThrownBy(() -> spool.append(routed(List.of("d"), event("m"))).join())
                .isInstanceOf(CompletionException.class).hasMessageContaining("the spool is closed");
    }

    /**
     * An append that passed the closed check while the writer was still running, and enqueued
     * once the writer had drained its queue for the last time, must still be answered. The test
     * holds the writer in that window: it owns the database's monitor, so the writer, past its
     * last look at the queue, blocks closing the database.
     */
    @Test
    void appendRacingTheWritersEndIsFailedNotStranded() throws Exception {
        Spool spool = Spool.open(dir.resolve("spool.db"), SpoolPolicy.defaults());
        Thread writer = field(spool, "writer", Thread.class);
        DB database = ((SQLiteConnection) field(spool, "db", Connection.class)).getDatabase();
        CountDownLatch checked = new CountDownLatch(1);
        CountDownLatch enqueue = new CountDownLatch(1);
        // append() reads the routing between its closed check and its enqueue: it waits there.
        Map<Event, List<String>> routed = new LinkedHashMap<>(routed(List.of("d"), event("m"))) {
            @Override
            public void forEach(BiConsumer<? super Event, ? super List<String>> action) {
                checked.countDown();
                try {
                    enqueue.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                super.forEach(action);
            }
        };
        CompletableFuture<CompletableFuture<Void>> appending = CompletableFuture.supplyAsync(() -> spool.append(routed));
        assertThat(checked.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Void> appended;
        synchronized (database) {
            writer.interrupt();
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!blockedOn(threads.getThreadInfo(writer.getId()), database)) {
                assertThat(System.nanoTime()).as("the writer blocks closing the database").isLessThan(deadline);
                Thread.sleep(1);
            }
            enqueue.countDown();
            appended = appending.get(10, TimeUnit.SECONDS);
        }
        writer.join(TimeUnit.SECONDS.toMillis(10));
        assertThat(writer.isAlive()).isFalse();
        assertThat(appended).as("answered once the writer is gone").isCompletedExceptionally();
        assertThatThrownBy(appended::join).hasMessageContaining("the spool is closed");
        assertThat(spool.bytes()).isZero();
    }

    /** Rows this run appends are never in a replay page, even where an earlier run's rows were deleted. */
    @Test
    void aReplayNeverOffersWhatThisRunAppended() {
        try (Spool spool = Spool.open(dir.resolve("spool.db"), SpoolPolicy.defaults())) {
            spool.append(routed(List.of("c"), event("c-old"))).join();
            spool.append(routed(List.of("b"), event("b-old-1"), event("b-old-2"))).join();
        }
        try (Spool spool = Spool.open(dir.resolve("spool.db"), SpoolPolicy.defaults())) {
            // b's rows, the highest ids, are delivered; then this run appends for c.
            spool.pendingPage("b", 0, 10).events().forEach(e -> spool.done("b", e));
            spool.append(routed(List.of("c"), event("c-new"))).join();

            assertThat(spool.pendingPage("c", 0, 10).events()).extracting(Event::messageId).containsExactly("c-old");
        }
    }

    /** A request that stops waiting cancels its append: whether the writer had reached it or not, nothing stays. */
    @Test
    void aCancelledAppendLeavesNothingBehind() throws Exception {
        try (Spool spool = Spool.open(dir.resolve("spool.db"), SpoolPolicy.defaults())) {
            Thread writer = field(spool, "writer", Thread.class);
            DB database = ((SQLiteConnection) field(spool, "db", Connection.class)).getDatabase();
            CompletableFuture<Void> appended;
            synchronized (database) {
                appended = spool.append(routed(List.of("d"), event("given-up")));
                ThreadMXBean threads = ManagementFactory.getThreadMXBean();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!blockedOn(threads.getThreadInfo(writer.getId()), database)) {
                    assertThat(System.nanoTime()).as("the writer blocks on the database").isLessThan(deadline);
                    Thread.sleep(1);
                }
                assertThat(appended.cancel(false)).isTrue();
            }
            spool.append(routed(List.of("d"), event("kept"))).get(10, TimeUnit.SECONDS);
            assertThat(spool.bytes()).isEqualTo(event("kept").jsonLength());
        }
        try (Spool spool = Spool.open(dir.resolve("spool.db"), SpoolPolicy.defaults())) {
            assertThat(spool.pending().get("d")).extracting(Event::messageId).containsExactly("kept");
        }
    }

    private static boolean blockedOn(ThreadInfo info, Object monitor) {
        return info != null && info.getThreadState() == Thread.State.BLOCKED && info.getLockInfo() != null
                && info.getLockInfo().getIdentityHashCode() == System.identityHashCode(monitor);
    }

    private static <T> T field(Spool spool, String name, Class<T> type) throws ReflectiveOperationException {
        Field field = Spool.class.getDeclaredField(name);
        field.setAccessible(true);
        return type.cast(field.get(spool));
    }

    @Test
    void everyAcknowledgedAppendSurvivesSigkill() throws Exception {
        Path file = dir.resolve("spool.db");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), SpoolCrashChild.class.getName(), file.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        List<String> acknowledged = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while (acknowledged.size() < 500 && (line = out.readLine()) != null) {
                acknowledged.add(line);
            }
            child.destroyForcibly(); // SIGKILL, mid-stream: the child is still appending
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(acknowledged).hasSize(500);
        try (Spool spool = Spool.open(file, SpoolPolicy.defaults())) {
            List<String> survived = spool.pending().getOrDefault("d", List.of()).stream().map(Event::messageId).toList();
            assertThat(survived).containsAll(acknowledged);
        }
    }
}
