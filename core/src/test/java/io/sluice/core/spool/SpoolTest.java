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
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
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

    static List<Spool.Routed> routed(List<SpoolReader> readers, Event... events) {
        List<Spool.Routed> routed = new ArrayList<>();
        for (Event e : events) {
            routed.add(new Spool.Routed(e, readers));
        }
        return routed;
    }

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void appendedEventsSurviveAReopenWithEveryField() throws Exception {
        Event original = event("m1");
        try (Spool spool = Spool.open(dir.resolve("spool.db"), SpoolPolicy.defaults())) {
            spool.append(routed(List.of(spool.reader("web/kinesis")), original)).join();
        }
        try (Spool spool = Spool.open(dir.resolve("spool.db"), SpoolPolicy.defaults())) {
            assertThat(spool.readerNames()).containsExactly("web/kinesis");
            Event back = Handed.all(spool.reader("web/kinesis"), 1).items().get(0).event();
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

    /** Two destinations share each payload; each finishes at its own pace; what both passed is deleted. */
    @Test
    void eachPayloadIsStoredOnceAndEachReaderKeepsItsOwnPosition() throws Exception {
        Event a = event("a");
        Event b = event("b");
        try (Spool spool = Spool.open(dir.resolve("spool.db"), SpoolPolicy.defaults())) {
            SpoolReader one = spool.reader("one");
            SpoolReader two = spool.reader("two");
            Handed toOne = Handed.all(one, 0);
            Handed toTwo = Handed.all(two, 0);
            // Two requests: space is freed a request at a time, once every reader passed all of its events.
            spool.append(routed(List.of(one, two), a)).join();
            spool.append(routed(List.of(one, two), b)).join();
            assertThat(spool.bytes()).as("counted once, not once per destination").isEqualTo(a.jsonLength() + b.jsonLength());
            assertThat(one.backlog().bytes()).isEqualTo(a.jsonLength() + b.jsonLength());
            toOne.await(2, WAIT).forEach(i -> one.finished(i.position(), i.event()));
            Handed.Item first = toTwo.await(2, WAIT).get(0);
            two.finished(first.position(), first.event());
            two.finished(first.position(), first.event()); // twice is harmless
            assertThat(one.backlog()).isEqualTo(Backlog.EMPTY);
            assertThat(two.backlog().events()).isEqualTo(1);
            assertThat(two.backlog().oldest()).contains(b.receivedAt());
            Thread.sleep(3 * Spool.TICK_MILLIS); // positions are written every tick
        }
        try (Spool spool = Spool.open(dir.resolve("spool.db"), SpoolPolicy.defaults())) {
            assertThat(spool.reader("one").backlog().events()).isZero();
            SpoolReader two = spool.reader("two");
            assertThat(two.backlog().events()).isEqualTo(1);
            Handed left = Handed.all(two, 1);
            assertThat(left.messageIds()).containsExactly("b");
            assertThat(spool.bytes()).as("a, passed by both, is gone").isEqualTo(b.jsonLength());
            left.finishAll(two);
            Thread.sleep(3 * Spool.TICK_MILLIS);
            assertThat(spool.bytes()).isZero();
        }
        try (Spool spool = Spool.open(dir.resolve("spool.db"), SpoolPolicy.defaults())) {
            assertThat(spool.bytes()).isZero();
            assertThat(spool.reader("two").backlog()).isEqualTo(Backlog.EMPTY);
        }
    }

    /**
     * A reader with no room falls behind: appends stay on disk, and when room comes back they are
     * read from disk oldest first, with what was appended meanwhile; then it is handed appends live again.
     */
    @Test
    void aReaderThatFallsBehindCatchesUpFromDiskInOrder() throws Exception {
        try (Spool spool = Spool.open(dir.resolve("spool.db"), SpoolPolicy.defaults())) {
            SpoolReader reader = spool.reader("d");
            SpoolReader other = spool.reader("other");
            Handed handed = new Handed();
            reader.open(handed);
            reader.room(3, Long.MAX_VALUE);
            for (int i = 0; i < 10; i++) {
                spool.append(routed(List.of(reader), event("m" + i))).join();
                // Events for someone else between them are skipped.
                spool.append(routed(List.of(other), event("x" + i))).join();
            }
            assertThat(handed.await(3, WAIT)).extracting(i -> i.event().messageId()).containsExactly("m0", "m1", "m2");
            assertThat(reader.backlog().events()).isEqualTo(10);
            assertThat(reader.backlog().oldest()).contains(event("m0").receivedAt());
            reader.room(4, Long.MAX_VALUE); // a page of four, from disk
            handed.await(7, WAIT);
            reader.room(100, Long.MAX_VALUE);
            handed.await(10, WAIT);
            spool.append(routed(List.of(reader), event("live"))).join();
            List<String> ids = handed.await(11, WAIT).stream().map(i -> i.event().messageId()).toList();
            assertThat(ids).containsExactly("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9", "live");
            List<Long> positions = handed.items().stream().map(Handed.Item::position).toList();
            assertThat(positions).isSorted().doesNotHaveDuplicates();
        }
    }

    /** A reader added now gets what is appended from now on, not what others still have. */
    @Test
    void aNewReaderStartsAtTheEndOfTheLog() throws Exception {
        try (Spool spool = Spool.open(dir.resolve("spool.db"), SpoolPolicy.defaults())) {
            SpoolReader old = spool.reader("old");
            spool.append(routed(List.of(old), event("before"))).join();
            SpoolReader fresh = spool.reader("fresh");
            spool.append(routed(List.of(old, fresh), event("after"))).join();
            assertThat(Handed.all(fresh, 1).messageIds()).containsExactly("after");
            assertThat(Handed.all(old, 2).messageIds()).containsExactly("before", "after");
        }
    }

    @Test
    void roomIsBoundedInBytesCountedOncePerEvent() {
        Event e = event("m");
        SpoolPolicy small = SpoolPolicy.defaults().withMaxBytes(3L * e.jsonLength());
        try (Spool spool = Spool.open(dir.resolve("spool.db"), small)) {
            assertThat(spool.hasRoomFor(3L * e.jsonLength())).isTrue();
            spool.append(routed(List.of(spool.reader("d"), spool.reader("e")), event("1"), event("2"))).join();
            assertThat(spool.hasRoomFor(e.jsonLength())).isTrue();
            assertThat(spool.hasRoomFor(e.jsonLength() + 1L)).isFalse();
        }
        try (Spool spool = Spool.open(dir.resolve("spool.db"), small)) {
            assertThat(spool.hasRoomFor(e.jsonLength() + 1L)).as("bytes are counted again on reopen").isFalse();
        }
    }

    @Test
    void intervalFsyncStillCompletesAppends() throws Exception {
        SpoolPolicy interval = SpoolPolicy.defaults().withFsync(SpoolPolicy.Fsync.INTERVAL, Duration.ofMillis(5));
        try (Spool spool = Spool.open(dir.resolve("spool.db"), interval)) {
            SpoolReader d = spool.reader("d");
            for (int i = 0; i < 50; i++) {
                spool.append(routed(List.of(d), event("m" + i))).join();
            }
        }
        try (Spool spool = Spool.open(dir.resolve("spool.db"), interval)) {
            assertThat(Handed.all(spool.reader("d"), 50).items()).hasSize(50);
        }
    }

    @Test
    void appendAfterCloseFails() {
        Spool spool = Spool.open(dir.resolve("spool.db"), SpoolPolicy.defaults());
        SpoolReader d = spool.reader("d");
        spool.close();
        assertThatThrownBy(() -> spool.append(routed(List.of(d), event("m"))).join())
                .isInstanceOf(CompletionException.class).hasMessageContaining("the spool is closed");
    }

    /** A second process (or a second open in this one) is refused, naming the spool, instead of replaying the same events. */
    @Test
    void aSpoolHeldByAnotherIsRefused() {
        Path file = dir.resolve("spool.db");
        try (Spool first = Spool.open(file, SpoolPolicy.defaults())) {
            assertThatThrownBy(() -> Spool.open(file, SpoolPolicy.defaults()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining(file.toString()).hasMessageContaining("in use by another Sluice process");
        }
        Spool.open(file, SpoolPolicy.defaults()).close(); // released with the first
    }

    /** A spool the first layout left (a row per event and destination) is delivered after an upgrade. */
    @Test
    void aSpoolOfTheFirstLayoutIsMigrated() throws Exception {
        Path file = dir.resolve("spool.db");
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = db.createStatement()) {
            s.execute("CREATE TABLE pending (id INTEGER PRIMARY KEY, destination TEXT NOT NULL, type TEXT NOT NULL,"
                    + " message_id TEXT NOT NULL, user_id TEXT, anonymous_id TEXT, previous_id TEXT, group_id TEXT,"
                    + " event_name TEXT, timestamp_ms INTEGER NOT NULL, received_at_ms INTEGER NOT NULL, json BLOB NOT NULL)");
            s.execute("INSERT INTO pending VALUES (4, 'web/kinesis', 'track', 'm1', 'u1', NULL, NULL, NULL, 'Signed Up',"
                    + " 1700000000000, 1700000000001, CAST('{\"type\":\"track\"}' AS BLOB))");
            s.execute("INSERT INTO pending VALUES (5, 'web/other', 'track', 'm1', 'u1', NULL, NULL, NULL, 'Signed Up',"
                    + " 1700000000000, 1700000000001, CAST('{\"type\":\"track\"}' AS BLOB))");
            s.execute("INSERT INTO pending VALUES (9, 'web/kinesis', 'track', 'm2', 'u1', NULL, NULL, NULL, 'Paid',"
                    + " 1700000000000, 1700000000001, CAST('{\"type\":\"track\"}' AS BLOB))");
        }
        try (Spool spool = Spool.open(file, SpoolPolicy.defaults())) {
            assertThat(spool.readerNames()).containsExactly("web/kinesis", "web/other");
            assertThat(Handed.all(spool.reader("web/kinesis"), 2).messageIds()).containsExactly("m1", "m2");
            Handed other = Handed.all(spool.reader("web/other"), 1);
            assertThat(other.items().get(0).event().eventName()).contains("Signed Up");
            // New appends go after the migrated events.
            SpoolReader kinesis = spool.reader("web/kinesis");
            spool.append(routed(List.of(kinesis), event("new"))).join();
        }
    }

    /**
     * A request's events share a row but not their readers or positions: each reader gets only its
     * own events of the row, and one that stopped inside the row resumes there after a restart,
     * counting only what it has left. The row goes once both passed all of it.
     */
    @Test
    void aRowOfMixedRoutesIsReadPerReaderAndResumedInside() throws Exception {
        Event a = event("a");
        Event b = event("b");
        Event c = event("c");
        Event d = event("d");
        Path file = dir.resolve("spool.db");
        try (Spool spool = Spool.open(file, SpoolPolicy.defaults())) {
            SpoolReader one = spool.reader("one");
            SpoolReader two = spool.reader("two");
            Handed toOne = Handed.all(one, 0);
            Handed toTwo = Handed.all(two, 0);
            spool.append(List.of(new Spool.Routed(a, List.of(one)), new Spool.Routed(b, List.of(two)),
                    new Spool.Routed(c, List.of(one, two)), new Spool.Routed(d, List.of(one)))).join();
            assertThat(one.backlog().events()).isEqualTo(3);
            assertThat(two.backlog().bytes()).isEqualTo(b.jsonLength() + c.jsonLength());
            List<Handed.Item> first = toOne.await(3, WAIT);
            assertThat(first).extracting(i -> i.event().messageId()).containsExactly("a", "c", "d");
            one.finished(first.get(0).position(), first.get(0).event()); // "a" only
            toTwo.await(2, WAIT).forEach(i -> two.finished(i.position(), i.event()));
            Thread.sleep(3 * Spool.TICK_MILLIS);
            assertThat(spool.bytes()).as("the row stays while one has events in it").isEqualTo(
                    a.jsonLength() + b.jsonLength() + c.jsonLength() + d.jsonLength());
        }
        try (Spool spool = Spool.open(file, SpoolPolicy.defaults())) {
            SpoolReader one = spool.reader("one");
            assertThat(one.backlog().events()).isEqualTo(2);
            assertThat(one.backlog().bytes()).isEqualTo(c.jsonLength() + d.jsonLength());
            assertThat(spool.reader("two").backlog()).isEqualTo(Backlog.EMPTY);
            Handed left = Handed.all(one, 2);
            assertThat(left.messageIds()).containsExactly("c", "d");
            left.finishAll(one);
            Thread.sleep(3 * Spool.TICK_MILLIS);
            assertThat(spool.bytes()).isZero();
        }
    }

    /** An append bigger than a row holds is split into rows, read back whole and in order after a restart. */
    @Test
    void anAppendBiggerThanARowIsSplitAndReadBackInOrder() throws Exception {
        Path file = dir.resolve("spool.db");
        String padding = "x".repeat(1_000);
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < 2_500; i++) { // about 2.5 MB: three rows
            String json = "{\"type\":\"track\",\"messageId\":\"m" + i + "\",\"p\":\"" + padding + "\"}";
            events.add(Event.builder(EventType.TRACK, "m" + i, json.getBytes(StandardCharsets.UTF_8))
                    .userId("u").timestamp(Instant.EPOCH).receivedAt(Instant.EPOCH).build());
        }
        long total = events.stream().mapToLong(Event::jsonLength).sum();
        try (Spool spool = Spool.open(file, SpoolPolicy.defaults())) {
            spool.append(routed(List.of(spool.reader("d")), events.toArray(Event[]::new))).join();
        }
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = db.createStatement();
             java.sql.ResultSet r = s.executeQuery("SELECT COUNT(*), MAX(bytes) FROM batches")) {
            assertThat(r.getInt(1)).isEqualTo(3);
            assertThat(r.getLong(2)).isLessThanOrEqualTo(1 << 20);
        }
        try (Spool spool = Spool.open(file, SpoolPolicy.defaults())) {
            SpoolReader reader = spool.reader("d");
            assertThat(reader.backlog().events()).isEqualTo(2_500);
            assertThat(spool.bytes()).isEqualTo(total);
            Handed handed = Handed.all(reader, 2_500);
            assertThat(handed.messageIds()).isEqualTo(events.stream().map(Event::messageId).toList());
        }
    }

    /**
     * A spool the second layout left (a row per event, with its readers) is delivered after an
     * upgrade, each reader from its own position, and counted in each backlog.
     */
    @Test
    void aSpoolOfTheSecondLayoutIsMigrated() throws Exception {
        Path file = dir.resolve("spool.db");
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = db.createStatement()) {
            s.execute("CREATE TABLE events (seq INTEGER PRIMARY KEY, routes BLOB NOT NULL, type TEXT NOT NULL,"
                    + " message_id TEXT NOT NULL, user_id TEXT, anonymous_id TEXT, previous_id TEXT, group_id TEXT,"
                    + " event_name TEXT, timestamp_ms INTEGER NOT NULL, received_at_ms INTEGER NOT NULL, json BLOB NOT NULL)");
            s.execute("CREATE TABLE readers (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, position INTEGER NOT NULL)");
            // routes is a bit set of reader ids: x'03' is both readers, x'01' reader 0 alone. Reader 0
            // (web/kinesis) has finished seq 10; reader 1 (web/other) has not.
            s.execute("INSERT INTO readers VALUES (0, 'web/kinesis', 11), (1, 'web/other', 10)");
            s.execute("INSERT INTO events VALUES (10, x'03', 'track', 'm1', 'u1', NULL, NULL, NULL, 'Signed Up',"
                    + " 1700000000000, 1700000000001, CAST('{\"type\":\"track\"}' AS BLOB))");
            s.execute("INSERT INTO events VALUES (11, x'01', 'identify', 'm2', NULL, 'a1', NULL, NULL, NULL,"
                    + " 1700000000000, 1700000000002, CAST('{\"type\":\"identify\"}' AS BLOB))");
            s.execute("INSERT INTO events VALUES (12, x'03', 'track', 'm3', 'u1', NULL, NULL, NULL, 'Paid',"
                    + " 1700000000000, 1700000000003, CAST('{\"type\":\"track\"}' AS BLOB))");
        }
        try (Spool spool = Spool.open(file, SpoolPolicy.defaults())) {
            SpoolReader kinesis = spool.reader("web/kinesis");
            assertThat(kinesis.backlog().events()).isEqualTo(2);
            assertThat(spool.reader("web/other").backlog().events()).isEqualTo(2);
            Handed handed = Handed.all(kinesis, 2);
            assertThat(handed.messageIds()).containsExactly("m2", "m3");
            assertThat(handed.items().get(0).event().anonymousId()).contains("a1");
            assertThat(Handed.all(spool.reader("web/other"), 2).messageIds()).containsExactly("m1", "m3");
            spool.append(routed(List.of(kinesis), event("new"))).join();
        }
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = db.createStatement();
             java.sql.ResultSet r = s.executeQuery("SELECT name FROM sqlite_master WHERE name = 'events'")) {
            assertThat(r.next()).as("the old table is dropped").isFalse();
        }
    }

    /** Drain hands a gone destination's backlog over, page by page, and the spool forgets the reader. */
    @Test
    void drainHandsOverTheBacklogOfAReaderThatIsRemoved() {
        try (Spool spool = Spool.open(dir.resolve("spool.db"), SpoolPolicy.defaults())) {
            SpoolReader gone = spool.reader("gone");
            for (int i = 0; i < 5_000; i++) {
                spool.append(routed(List.of(gone), event("m" + i))).join();
            }
            List<String> drained = new ArrayList<>();
            gone.drain(e -> drained.add(e.messageId()));
            spool.remove(gone);
            assertThat(drained).hasSize(5_000).startsWith("m0", "m1").endsWith("m4999");
            assertThat(gone.backlog()).isEqualTo(Backlog.EMPTY);
            assertThat(spool.readerNames()).isEmpty();
        }
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
        SpoolReader d = spool.reader("d");
        Thread writer = field(spool, "writer", Thread.class);
        DB database = ((SQLiteConnection) field(spool, "db", Connection.class)).getDatabase();
        CountDownLatch checked = new CountDownLatch(1);
        CountDownLatch enqueue = new CountDownLatch(1);
        // append() reads the events between its closed check and its enqueue: it waits there.
        List<Spool.Routed> routed = new ArrayList<>(routed(List.of(d), event("m"))) {
            @Override
            public Iterator<Spool.Routed> iterator() {
                checked.countDown();
                try {
                    enqueue.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return super.iterator();
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

    /** A request that stops waiting cancels its append: whether the writer had reached it or not, nothing stays. */
    @Test
    void aCancelledAppendLeavesNothingBehind() throws Exception {
        try (Spool spool = Spool.open(dir.resolve("spool.db"), SpoolPolicy.defaults())) {
            SpoolReader d = spool.reader("d");
            Thread writer = field(spool, "writer", Thread.class);
            DB database = ((SQLiteConnection) field(spool, "db", Connection.class)).getDatabase();
            CompletableFuture<Void> appended;
            synchronized (database) {
                appended = spool.append(routed(List.of(d), event("given-up")));
                ThreadMXBean threads = ManagementFactory.getThreadMXBean();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!blockedOn(threads.getThreadInfo(writer.getId()), database)) {
                    assertThat(System.nanoTime()).as("the writer blocks on the database").isLessThan(deadline);
                    Thread.sleep(1);
                }
                assertThat(appended.cancel(false)).isTrue();
            }
            spool.append(routed(List.of(d), event("kept"))).get(10, TimeUnit.SECONDS);
            assertThat(spool.bytes()).isEqualTo(event("kept").jsonLength());
            assertThat(d.backlog().events()).isEqualTo(1);
        }
        try (Spool spool = Spool.open(dir.resolve("spool.db"), SpoolPolicy.defaults())) {
            assertThat(Handed.all(spool.reader("d"), 1).messageIds()).containsExactly("kept");
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
            SpoolReader d = spool.reader("d");
            int left = (int) d.backlog().events();
            assertThat(left).isGreaterThanOrEqualTo(500);
            List<String> survived = Handed.all(d, left).messageIds();
            assertThat(survived).containsAll(acknowledged);
        }
    }
}
