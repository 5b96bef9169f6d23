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

    private final Connection db;
    private final SpoolPolicy policy;
    private final BlockingQueue<Op> queue = new LinkedBlockingQueue<>();
    private final Map<String, Map<Event, Long>> rowIds = new ConcurrentHashMap<>();
    private final AtomicLong bytes = new AtomicLong();
    private final Thread writer;
    private volatile boolean closed;
    private long lastSyncNanos = System.nanoTime();

    private Spool(Connection db, SpoolPolicy policy, long bytes) {
        this.db = db;
        this.policy = policy;
        this.bytes.set(bytes);
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
            Connection db = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement s = db.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute(policy.fsync() == SpoolPolicy.Fsync.ALWAYS ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
                s.execute("CREATE TABLE IF NOT EXISTS pending ("
                        + "id INTEGER PRIMARY KEY, destination TEXT NOT NULL, type TEXT NOT NULL, message_id TEXT NOT NULL,"
                        + "user_id TEXT, anonymous_id TEXT, previous_id TEXT, group_id TEXT, event_name TEXT,"
                        + "timestamp_ms INTEGER NOT NULL, received_at_ms INTEGER NOT NULL, json BLOB NOT NULL)");
            }
            db.setAutoCommit(false);
            long bytes;
            try (Statement s = db.createStatement(); ResultSet r = s.executeQuery("SELECT COALESCE(SUM(LENGTH(json)), 0) FROM pending")) {
                bytes = r.next() ? r.getLong(1) : 0;
            }
            db.commit();
            return new Spool(db, policy, bytes);
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
     * disk refused them: then the request must not be answered with success.
     */
    public CompletableFuture<Void> append(Map<Event, List<String>> routed) {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("the spool is closed"));
        }
        Append op = new Append(routed, new CompletableFuture<>());
        routed.forEach((event, destinations) -> bytes.addAndGet((long) event.jsonLength() * destinations.size()));
        queue.add(op);
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

    /** Everything not yet done, per destination, oldest first: what a restart must deliver again. */
    public Map<String, List<Event>> pending() {
        CompletableFuture<Map<String, List<Event>>> result = new CompletableFuture<>();
        queue.add(new Load(result));
        return result.join();
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
        try (PreparedStatement insert = db.prepareStatement("INSERT INTO pending (destination, type, message_id, user_id,"
                + " anonymous_id, previous_id, group_id, event_name, timestamp_ms, received_at_ms, json)"
                + " VALUES (?,?,?,?,?,?,?,?,?,?,?)", Statement.RETURN_GENERATED_KEYS);
             PreparedStatement remove = db.prepareStatement("DELETE FROM pending WHERE id = ?")) {
            while (true) {
                Op first = queue.poll(syncWaitMillis(), TimeUnit.MILLISECONDS);
                if (first == null) {
                    syncIfDue();
                    continue;
                }
                ops.add(first);
                queue.drainTo(ops, MAX_OPS_PER_TRANSACTION);
                boolean stop = commit(ops, insert, remove);
                ops.clear();
                syncIfDue();
                if (stop) {
                    break;
                }
            }
        } catch (SQLException e) {
            LOG.log(System.Logger.Level.ERROR, "the spool failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            failRemaining();
            try {
                db.close();
            } catch (SQLException e) {
                LOG.log(System.Logger.Level.WARNING, "closing the spool failed", e);
            }
        }
    }

    private boolean commit(List<Op> ops, PreparedStatement insert, PreparedStatement remove) throws SQLException {
        boolean stop = false;
        List<Append> appends = new ArrayList<>();
        try {
            for (Op op : ops) {
                if (op instanceof Append append) {
                    insert(append, insert);
                    appends.add(append);
                } else if (op instanceof Remove r) {
                    remove.setLong(1, r.id);
                    remove.executeUpdate();
                } else if (op instanceof Load load) {
                    load.result.complete(load());
                } else if (op instanceof Stop) {
                    stop = true;
                }
            }
            db.commit();
            appends.forEach(a -> a.done.complete(null));
        } catch (SQLException e) {
            db.rollback();
            for (Append a : appends) {
                forgetRows(a);
                a.done.completeExceptionally(new IllegalStateException("the spool could not write: " + e.getMessage(), e));
            }
            for (Op op : ops) {
                if (op instanceof Load load) {
                    load.result.completeExceptionally(e);
                }
            }
            LOG.log(System.Logger.Level.ERROR, "a spool transaction failed: " + e.getMessage());
        }
        return stop;
    }

    private void insert(Append append, PreparedStatement insert) throws SQLException {
        for (Map.Entry<Event, List<String>> entry : append.routed.entrySet()) {
            Event e = entry.getKey();
            for (String destination : entry.getValue()) {
                insert.setString(1, destination);
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
                insert.executeUpdate();
                try (ResultSet keys = insert.getGeneratedKeys()) {
                    keys.next();
                    rowIds.computeIfAbsent(destination, d -> new ConcurrentHashMap<>()).put(e, keys.getLong(1));
                }
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

    private Map<String, List<Event>> load() throws SQLException {
        Map<String, List<Event>> pending = new LinkedHashMap<>();
        try (Statement s = db.createStatement(); ResultSet r = s.executeQuery("SELECT id, destination, type, message_id,"
                + " user_id, anonymous_id, previous_id, group_id, event_name, timestamp_ms, received_at_ms, json"
                + " FROM pending ORDER BY id")) {
            while (r.next()) {
                String destination = r.getString(2);
                Event event = Event.builder(EventType.fromWireName(r.getString(3)).orElseThrow(), r.getString(4), r.getBytes(12))
                        .userId(r.getString(5))
                        .anonymousId(r.getString(6))
                        .previousId(r.getString(7))
                        .groupId(r.getString(8))
                        .eventName(r.getString(9))
                        .timestamp(Instant.ofEpochMilli(r.getLong(10)))
                        .receivedAt(Instant.ofEpochMilli(r.getLong(11)))
                        .build();
                rowIds.computeIfAbsent(destination, d -> new ConcurrentHashMap<>()).put(event, r.getLong(1));
                pending.computeIfAbsent(destination, d -> new ArrayList<>()).add(event);
            }
        }
        return pending;
    }

    private long syncWaitMillis() {
        return policy.fsync() == SpoolPolicy.Fsync.INTERVAL ? Math.max(1, policy.fsyncInterval().toMillis()) : Long.MAX_VALUE;
    }

    /** With {@link SpoolPolicy.Fsync#INTERVAL}, a checkpoint fsyncs the write-ahead log every interval. */
    private void syncIfDue() throws SQLException {
        if (policy.fsync() != SpoolPolicy.Fsync.INTERVAL
                || System.nanoTime() - lastSyncNanos < policy.fsyncInterval().toNanos()) {
            return;
        }
        // A checkpoint cannot run inside the transaction the driver keeps open; step out of it.
        db.setAutoCommit(true);
        try (Statement s = db.createStatement()) {
            s.execute("PRAGMA wal_checkpoint(PASSIVE)");
        } finally {
            db.setAutoCommit(false);
        }
        lastSyncNanos = System.nanoTime();
    }

    private void failRemaining() {
        for (Op op; (op = queue.poll()) != null; ) {
            if (op instanceof Append a) {
                a.done.completeExceptionally(new IllegalStateException("the spool is closed"));
            } else if (op instanceof Load l) {
                l.result.completeExceptionally(new IllegalStateException("the spool is closed"));
            }
        }
    }

    private sealed interface Op permits Append, Remove, Load, Stop {}

    private record Append(Map<Event, List<String>> routed, CompletableFuture<Void> done) implements Op {}

    private record Remove(long id) implements Op {}

    private record Load(CompletableFuture<Map<String, List<Event>>> result) implements Op {}

    private record Stop() implements Op {}
}
