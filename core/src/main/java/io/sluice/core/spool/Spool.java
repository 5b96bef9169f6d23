package io.sluice.core.spool;

import io.sluice.spi.event.Event;
import io.sluice.spi.event.EventType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Accepted events on disk until every destination they were routed to is done with them, so an
 * event answered with 200 survives a crash: on restart {@link #pending()} hands them back.
 *
 * <p>SQLite in WAL mode, one row per event and destination. One writer thread takes appends and
 * removals from a queue and commits each run of them in one transaction (group commit), so many
 * concurrent requests share an fsync. An append's future completes once its transaction is
 * committed; the HTTP answer waits for it.
 */
public final class Spool implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Spool.class.getName());
    private static final int MAX_OPS_PER_TRANSACTION = 10_000;
    private static final int SQLITE_FULL = 13;

    private final Connection db;
    private final SpoolPolicy policy;
    private final BlockingQueue<Op> queue = new LinkedBlockingQueue<>();
    private final Map<String, Map<Event, Long>> rowIds = new ConcurrentHashMap<>();
    private final AtomicLong bytes = new AtomicLong();
    private final Thread writer;
    private volatile boolean closed;
    /**
     * Set first when the writer stops, for {@link #enqueue}. {@link #closed} cannot tell it: close()
     * sets it while the writer still has a queue to work through.
     */
    private volatile boolean writerDone;
    private long lastSyncNanos = System.nanoTime();
    /** Removals whose transaction failed; the writer thread tries them again with the next one. */
    private final List<Remove> unfinishedRemoves = new ArrayList<>();
    // The writer thread's statements, prepared again after a failed transaction.
    private PreparedStatement insert;
    private PreparedStatement remove;

    /** The last row an earlier run left: what {@link #pendingPage} replays, never what this run appends. */
    private final long lastRowAtOpen;
    /**
     * The next row's id; the writer's alone. Ids only grow: SQLite's own choice (the largest id
     * left, plus one) could give this run's rows ids an earlier run's rows had, and a replay would
     * then offer them as well.
     */
    private long nextId;

    private Spool(Connection db, SpoolPolicy policy, long bytes, long lastRowAtOpen) {
        this.db = db;
        this.policy = policy;
        this.bytes.set(bytes);
        this.lastRowAtOpen = lastRowAtOpen;
        this.nextId = lastRowAtOpen + 1;
        this.writer = new Thread(this::writeLoop, "sluice-spool-writer");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    /** Opens (or creates) the spool in {@code file}. */
    public static Spool open(Path file, SpoolPolicy policy) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Properties options = new Properties();
            // Rows get their ids from the writer (see nextId), so the driver need not ask for them:
            // it would run SELECT last_insert_rowid() after every insert.
            options.setProperty("jdbc.get_generated_keys", "false");
            Connection db = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath(), options);
            try (Statement s = db.createStatement()) {
                // Events of 1 to 4 KB fill 16 KiB pages well; with 4 KiB pages most of each page a
                // row dirties is left empty, and the spool wrote ~40% slower (BENCHMARKS.md). Only
                // takes effect when the file is created.
                s.execute("PRAGMA page_size=16384");
                s.execute("PRAGMA journal_mode=WAL");
                s.execute(policy.fsync() == SpoolPolicy.Fsync.ALWAYS ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
                s.execute("CREATE TABLE IF NOT EXISTS pending ("
                        + "id INTEGER PRIMARY KEY, destination TEXT NOT NULL, type TEXT NOT NULL, message_id TEXT NOT NULL,"
                        + "user_id TEXT, anonymous_id TEXT, previous_id TEXT, group_id TEXT, event_name TEXT,"
                        + "timestamp_ms INTEGER NOT NULL, received_at_ms INTEGER NOT NULL, json BLOB NOT NULL)");
            }
            db.setAutoCommit(false);
            long bytes;
            long lastRow;
            try (Statement s = db.createStatement();
                 ResultSet r = s.executeQuery("SELECT COALESCE(SUM(LENGTH(json)), 0), COALESCE(MAX(id), 0) FROM pending")) {
                bytes = r.next() ? r.getLong(1) : 0;
                lastRow = r.getLong(2);
            }
            db.commit();
            return new Spool(db, policy, bytes, lastRow);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open the spool at " + file + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether {@code more} event bytes fit within {@link SpoolPolicy#maxBytes()}. */
    public boolean hasRoomFor(long more) {
        return bytes.get() + more <= policy.maxBytes();
    }

    /** Event bytes held, counted once per destination. */
    public long bytes() {
        return bytes.get();
    }

    /**
     * Records that each event must reach the listed destinations. The future completes when the
     * records are committed (and, with {@link SpoolPolicy.Fsync#ALWAYS}, fsynced), or fails if the
     * disk refused them: then the request must not be answered with success. Cancelling the
     * future (a request that gave up waiting) leaves nothing behind: rows not yet written are not
     * written, and rows committed meanwhile are released.
     */
    public CompletableFuture<Void> append(Map<Event, List<String>> routed) {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("the spool is closed"));
        }
        Append op = new Append(routed, new CompletableFuture<>());
        routed.forEach((event, destinations) -> bytes.addAndGet((long) event.jsonLength() * destinations.size()));
        enqueue(op);
        return op.done;
    }

    /**
     * The destination has delivered or dead-lettered the event: forget it. Only call it for an
     * event whose {@link #append} has completed.
     */
    public void done(String destination, Event event) {
        Map<Event, Long> ids = rowIds.get(destination);
        Long id = ids == null ? null : ids.remove(event);
        if (id != null) {
            bytes.addAndGet(-event.jsonLength());
            queue.add(new Remove(id));
        }
    }

    /** One page of {@link #pendingPage}: the events, and the row to continue after. */
    public record Page(List<Event> events, long lastRow) {}

    /** The destinations that hold events an earlier run left, in the order of their oldest event. */
    public List<String> pendingDestinations() {
        return read(() -> {
            List<String> destinations = new ArrayList<>();
            try (PreparedStatement q = db.prepareStatement(
                    "SELECT destination FROM pending WHERE id <= ? GROUP BY destination ORDER BY MIN(id)")) {
                q.setLong(1, lastRowAtOpen);
                try (ResultSet r = q.executeQuery()) {
                    while (r.next()) {
                        destinations.add(r.getString(1));
                    }
                }
            }
            return destinations;
        });
    }

    /**
     * Up to {@code limit} of the events an earlier run left for {@code destination}, oldest first,
     * after row {@code afterRow} (0 for the first page). A restart replays page by page, so a spool
     * bigger than the heap never has to fit in it; what this run appended is never in a page.
     */
    public Page pendingPage(String destination, long afterRow, int limit) {
        return read(() -> {
            List<Event> events = new ArrayList<>();
            long last = afterRow;
            try (PreparedStatement q = db.prepareStatement("SELECT " + COLUMNS
                    + " FROM pending WHERE destination = ? AND id > ? AND id <= ? ORDER BY id LIMIT ?")) {
                q.setString(1, destination);
                q.setLong(2, afterRow);
                q.setLong(3, lastRowAtOpen);
                q.setInt(4, limit);
                try (ResultSet r = q.executeQuery()) {
                    while (r.next()) {
                        Event event = event(r);
                        last = r.getLong(1);
                        rowIds.computeIfAbsent(destination, d -> new ConcurrentHashMap<>()).put(event, last);
                        events.add(event);
                    }
                }
            }
            return new Page(events, last);
        });
    }

    private <T> T read(SqlRead<T> read) {
        if (closed) {
            throw new IllegalStateException("the spool is closed");
        }
        Read<T> op = new Read<>(read, new CompletableFuture<>());
        enqueue(op);
        return op.result.join();
    }

    /**
     * The writer may stop between a caller's check of {@link #closed} and its enqueue; then it
     * has drained the queue for the last time, and the caller must fail the op itself.
     */
    private void enqueue(Op op) {
        queue.add(op);
        if (writerDone) {
            failRemaining();
        }
    }

    /** Everything not yet done, per destination, oldest first: what a restart must deliver again. */
    public Map<String, List<Event>> pending() {
        return read(this::load);
    }

    @Override
    public void close() {
        closed = true;
        queue.add(new Stop());
        try {
            writer.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void writeLoop() {
        List<Op> ops = new ArrayList<>();
        try {
            while (true) {
                Op first = queue.poll(syncWaitMillis(), TimeUnit.MILLISECONDS);
                if (first == null) {
                    syncIfDue();
                    continue;
                }
                ops.add(first);
                queue.drainTo(ops, MAX_OPS_PER_TRANSACTION);
                boolean stop = commit(ops);
                ops.clear();
                syncIfDue();
                if (stop) {
                    break;
                }
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "the spool failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            writerDone = true;
            // From now on appends fail at once instead of waiting for a writer that is gone.
            closed = true;
            failRemaining();
            closeStatements();
            try {
                db.close();
            } catch (SQLException e) {
                LOG.log(System.Logger.Level.WARNING, "closing the spool failed", e);
            }
        }
    }

    /**
     * Runs {@code ops} in one transaction. When it fails (a full disk, an I/O error, an event the
     * table cannot hold), every append in it fails, so its request is refused, and the writer keeps
     * going: removals are tried again with the next transaction, and the spool works again once
     * the disk does.
     */
    private boolean commit(List<Op> ops) {
        boolean stop = false;
        List<Remove> removes = new ArrayList<>(unfinishedRemoves);
        unfinishedRemoves.clear();
        try {
            if (insert == null) {
                insert = db.prepareStatement("INSERT INTO pending (destination, type, message_id, user_id,"
                        + " anonymous_id, previous_id, group_id, event_name, timestamp_ms, received_at_ms, json, id)"
                        + " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)");
                remove = db.prepareStatement("DELETE FROM pending WHERE id = ?");
            }
            for (Remove r : removes) {
                remove.setLong(1, r.id);
                remove.executeUpdate();
            }
            for (Op op : ops) {
                if (op instanceof Append append) {
                    if (append.done.isCancelled()) {
                        forgetRows(append);
                    } else {
                        insert(append, insert);
                    }
                } else if (op instanceof Remove r) {
                    remove.setLong(1, r.id);
                    remove.executeUpdate();
                } else if (op instanceof Read<?> read) {
                    read.run();
                } else if (op instanceof Stop) {
                    stop = true;
                }
            }
            db.commit();
            for (Op op : ops) {
                if (op instanceof Append a && !a.done.complete(null) && a.done.isCancelled()) {
                    // Its request was refused while this committed: nobody will deliver these rows.
                    a.routed.forEach((event, destinations) -> destinations.forEach(d -> done(d, event)));
                }
            }
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly();
            closeStatements(); // a statement that failed mid-way is not reliably usable again
            unfinishedRemoves.addAll(removes);
            RuntimeException failure = diskFull(e)
                    ? new SpoolFullException("the disk holding the spool is full: " + e.getMessage(), e)
                    : new IllegalStateException("the spool could not write: " + e.getMessage(), e);
            for (Op op : ops) {
                if (op instanceof Append a) {
                    forgetRows(a);
                    a.done.completeExceptionally(failure);
                } else if (op instanceof Remove r) {
                    unfinishedRemoves.add(r);
                } else if (op instanceof Read<?> read) {
                    read.result.completeExceptionally(e);
                } else if (op instanceof Stop) {
                    stop = true;
                }
            }
            LOG.log(System.Logger.Level.ERROR, "a spool transaction failed: " + e);
        }
        return stop;
    }

    /**
     * SQLite rolls a transaction back by itself after some errors (SQLITE_FULL); then the driver's
     * rollback fails and never begins the next transaction, so begin it here.
     */
    private void rollbackQuietly() {
        try {
            db.rollback();
            return;
        } catch (SQLException e) {
            LOG.log(System.Logger.Level.DEBUG, "rollback after a failed spool transaction: " + e.getMessage());
        }
        try {
            db.setAutoCommit(true); // its COMMIT fails too: there is no transaction
        } catch (SQLException e) {
            // expected
        }
        try {
            db.setAutoCommit(false); // BEGIN
        } catch (SQLException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot begin a spool transaction: " + e.getMessage());
        }
    }

    private void closeStatements() {
        for (PreparedStatement statement : new PreparedStatement[] {insert, remove}) {
            try {
                if (statement != null) {
                    statement.close();
                }
            } catch (SQLException e) {
                // it is dropped either way
            }
        }
        insert = null;
        remove = null;
    }

    private static boolean diskFull(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && ((sql.getErrorCode() & 0xff) == SQLITE_FULL
                    || String.valueOf(sql.getMessage()).contains("SQLITE_FULL"))) {
                return true;
            }
        }
        return false;
    }

    private void insert(Append append, PreparedStatement insert) throws SQLException {
        for (Map.Entry<Event, List<String>> entry : append.routed.entrySet()) {
            Event e = entry.getKey();
            insert.setString(2, e.type().wireName());
            insert.setString(3, e.messageId());
            insert.setString(4, e.userId().orElse(null));
            insert.setString(5, e.anonymousId().orElse(null));
            insert.setString(6, e.previousId().orElse(null));
            insert.setString(7, e.groupId().orElse(null));
            insert.setString(8, e.eventName().orElse(null));
            insert.setLong(9, e.timestamp().toEpochMilli());
            insert.setLong(10, e.receivedAt().toEpochMilli());
            byte[] json = new byte[e.jsonLength()];
            e.json().get(json);
            insert.setBytes(11, json);
            // Parameters stay bound between executions: only the destination and the id change per row.
            for (String destination : entry.getValue()) {
                long id = nextId++;
                insert.setString(1, destination);
                insert.setLong(12, id);
                insert.executeUpdate();
                rowIds.computeIfAbsent(destination, d -> new ConcurrentHashMap<>()).put(e, id);
            }
        }
    }

    private void forgetRows(Append append) {
        append.routed.forEach((event, destinations) -> {
            for (String destination : destinations) {
                Map<Event, Long> ids = rowIds.get(destination);
                if (ids != null) {
                    ids.remove(event);
                }
                bytes.addAndGet(-event.jsonLength());
            }
        });
    }

    private static final String COLUMNS = "id, destination, type, message_id, user_id, anonymous_id, previous_id,"
            + " group_id, event_name, timestamp_ms, received_at_ms, json";

    /** The event of a row selected with {@link #COLUMNS}. */
    private static Event event(ResultSet r) throws SQLException {
        return Event.builder(EventType.fromWireName(r.getString(3)).orElseThrow(), r.getString(4), r.getBytes(12))
                .userId(r.getString(5))
                .anonymousId(r.getString(6))
                .previousId(r.getString(7))
                .groupId(r.getString(8))
                .eventName(r.getString(9))
                .timestamp(Instant.ofEpochMilli(r.getLong(10)))
                .receivedAt(Instant.ofEpochMilli(r.getLong(11)))
                .build();
    }

    private Map<String, List<Event>> load() throws SQLException {
        Map<String, List<Event>> pending = new LinkedHashMap<>();
        try (Statement s = db.createStatement(); ResultSet r = s.executeQuery("SELECT " + COLUMNS
                + " FROM pending ORDER BY id")) {
            while (r.next()) {
                String destination = r.getString(2);
                Event event = event(r);
                rowIds.computeIfAbsent(destination, d -> new ConcurrentHashMap<>()).put(event, r.getLong(1));
                pending.computeIfAbsent(destination, d -> new ArrayList<>()).add(event);
            }
        }
        return pending;
    }

    private long syncWaitMillis() {
        return policy.fsync() == SpoolPolicy.Fsync.INTERVAL ? Math.max(1, policy.fsyncInterval().toMillis()) : Long.MAX_VALUE;
    }

    /**
     * With {@link SpoolPolicy.Fsync#INTERVAL}, a checkpoint fsyncs the write-ahead log every interval.
     * A failed checkpoint (a full disk) is tried again next interval; it must not stop the writer.
     */
    private void syncIfDue() {
        if (policy.fsync() != SpoolPolicy.Fsync.INTERVAL
                || System.nanoTime() - lastSyncNanos < policy.fsyncInterval().toNanos()) {
            return;
        }
        lastSyncNanos = System.nanoTime();
        try {
            // A checkpoint cannot run inside the transaction the driver keeps open; step out of it.
            db.setAutoCommit(true);
            try (Statement s = db.createStatement()) {
                s.execute("PRAGMA wal_checkpoint(PASSIVE)");
            } finally {
                db.setAutoCommit(false);
            }
        } catch (SQLException e) {
            LOG.log(System.Logger.Level.WARNING, "the spool's periodic checkpoint failed: " + e.getMessage());
        }
    }

    private void failRemaining() {
        for (Op op; (op = queue.poll()) != null; ) {
            if (op instanceof Append a) {
                forgetRows(a);
                a.done.completeExceptionally(new IllegalStateException("the spool is closed"));
            } else if (op instanceof Read<?> read) {
                read.result.completeExceptionally(new IllegalStateException("the spool is closed"));
            }
        }
    }

    private sealed interface Op permits Append, Remove, Read, Stop {}

    private record Append(Map<Event, List<String>> routed, CompletableFuture<Void> done) implements Op {}

    private record Remove(long id) implements Op {}

    @FunctionalInterface
    private interface SqlRead<T> {
        T read() throws SQLException;
    }

    /** A query run on the writer thread, which owns the connection. */
    private record Read<T>(SqlRead<T> query, CompletableFuture<T> result) implements Op {
        void run() throws SQLException {
            result.complete(query.read());
        }
    }

    private record Stop() implements Op {}
}
