package io.sluice.core.spool;

import io.sluice.spi.event.Event;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The durable log of accepted events: each payload is written once, whatever the number of
 * destinations, and each destination reads it at its own pace through its {@link SpoolReader},
 * from a position kept on disk. An event answered with 200 survives a crash: at restart every
 * reader resumes from its position. An event is forgotten once every reader has passed it.
 *
 * <p>SQLite in WAL mode: a table of events (the payload, the columns an {@link Event} needs, and
 * the set of readers it is routed to) and a table of readers with their positions. One writer
 * thread owns the connection. It takes appends from a queue and commits each run of them in one
 * transaction (group commit), so many concurrent requests share an fsync; it then hands each
 * committed event to the readers it is routed to. It also runs the readers' page reads, so a read
 * and an append never interleave, and every {@value #TICK_MILLIS} ms it writes the readers'
 * positions and deletes what all of them passed.
 *
 * <p>A lock file beside the database is held for the spool's life: a second process that opens
 * the same spool is refused instead of replaying the same events.
 */
public final class Spool implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Spool.class.getName());
    private static final int MAX_OPS_PER_TRANSACTION = 10_000;
    private static final int SQLITE_FULL = 13;
    static final long TICK_MILLIS = 200;
    /** Rows a page read looks at, at most: a reader routed few events must not scan the whole log at once. */
    private static final int MAX_SCAN = 4_096;
    /** A row's payload bytes, at most (unless one event is bigger): a request (500 KB at most) is one row, and a page read holds a row at a time. */
    private static final int MAX_ROW_BYTES = 1 << 20;

    private final Connection db;
    private final Path file;
    private final SpoolPolicy policy;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final BlockingQueue<Op> queue = new LinkedBlockingQueue<>();
    private final Map<String, SpoolReader> readers = new ConcurrentHashMap<>();
    /** Payload bytes in the log, each event counted once. */
    private final AtomicLong bytes = new AtomicLong();
    private final Thread writer;
    private volatile boolean closed;
    /**
     * Set first when the writer stops, for {@link #enqueue}. {@link #closed} cannot tell it: close()
     * sets it while the writer still has a queue to work through.
     */
    private volatile boolean writerDone;
    private long lastSyncNanos = System.nanoTime();
    private long lastTickNanos = System.nanoTime();
    private boolean positionsFailing;
    /** Every event before this position is deleted already: a tick with the same lowest cursor has nothing to delete. */
    private long collectedBelow;
    // The writer thread's statements, prepared again after a failed transaction.
    private PreparedStatement insert;
    /** The next event's position; the writer's alone. Positions only grow, so a reader's position stays meaningful. */
    private long nextSeq;

    private Spool(Connection db, Path file, SpoolPolicy policy, FileChannel lockChannel, FileLock lock, long nextSeq) {
        this.db = db;
        this.file = file;
        this.policy = policy;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.nextSeq = nextSeq;
        this.writer = new Thread(this::writeLoop, "sluice-spool-writer");
        this.writer.setDaemon(true);
    }

    /**
     * Opens (or creates) the spool in {@code file}.
     *
     * @throws IllegalStateException when another process holds it, or it cannot be opened
     */
    public static Spool open(Path file, SpoolPolicy policy) {
        Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
        FileChannel channel = null;
        FileLock lock = null;
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // this JVM holds it already
            }
            if (lock == null) {
                throw new IllegalStateException("the spool " + file + " is in use by another Sluice process (it holds "
                        + lockFile + "); give each process a spool.path of its own");
            }
            Properties options = new Properties();
            // Positions are the writer's own (nextSeq), so the driver need not ask for generated keys:
            // it would run SELECT last_insert_rowid() after every insert.
            options.setProperty("jdbc.get_generated_keys", "false");
            Connection db = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath(), options);
            long next;
            try {
                next = SpoolSchema.prepare(db, policy);
            } catch (SQLException | RuntimeException e) {
                db.close();
                throw e;
            }
            Spool spool = new Spool(db, file, policy, channel, lock, next);
            spool.restore();
            spool.writer.start();
            return spool;
        } catch (SQLException e) {
            release(channel, lock);
            throw new IllegalStateException("cannot open the spool at " + file + ": " + e.getMessage(), e);
        } catch (IOException e) {
            release(channel, lock);
            throw new UncheckedIOException("cannot open the spool at " + file, e);
        } catch (RuntimeException e) {
            release(channel, lock);
            throw e;
        }
    }

    /** Reads the readers and what each still has to do (before the writer starts, so on this thread). */
    private void restore() throws SQLException {
        try (Statement s = db.createStatement();
             ResultSet r = s.executeQuery("SELECT id, name, position FROM readers")) {
            while (r.next()) {
                // What an earlier run left is on disk; its first page read says whether there is any.
                SpoolReader reader = new SpoolReader(this, r.getString(2), r.getInt(1), r.getLong(3), true);
                readers.put(reader.name(), reader);
            }
        }
        long[] eventCounts = new long[readers.size()];
        long[] eventBytes = new long[readers.size()];
        long[] oldest = new long[readers.size()];
        java.util.Arrays.fill(oldest, -1);
        List<SpoolReader> all = List.copyOf(readers.values());
        long[] cursors = all.stream().mapToLong(rd -> rd.cursor(nextSeq)).toArray();
        long total = 0;
        // Every row counts in the spool's size, also one every reader passed that the last run did
        // not delete before it stopped: the first tick deletes it, and subtracts it. A row's tally
        // counts it per reader; only a row a reader stopped inside is read event by event.
        try (PreparedStatement q = db.prepareStatement(
                "SELECT first_seq, count, bytes, received_at_ms, tally FROM batches ORDER BY first_seq");
             PreparedStatement events = db.prepareStatement("SELECT events FROM batches WHERE first_seq = ?")) {
            try (ResultSet r = q.executeQuery()) {
                while (r.next()) {
                    long first = r.getLong(1);
                    long end = first + r.getLong(2);
                    total += r.getLong(3);
                    byte[] tally = r.getBytes(5);
                    for (int i = 0; i < all.size(); i++) {
                        SpoolReader reader = all.get(i);
                        if (end <= cursors[i]) {
                            continue;
                        }
                        if (first >= cursors[i]) {
                            long[] counts = SpoolRow.tallyOf(tally, reader.id);
                            eventCounts[i] += counts[0];
                            eventBytes[i] += counts[1];
                            if (oldest[i] < 0 && counts[0] > 0) {
                                oldest[i] = r.getLong(4);
                            }
                            continue;
                        }
                        events.setLong(1, first);
                        try (ResultSet row = events.executeQuery()) {
                            row.next();
                            SpoolRow.Records records = new SpoolRow.Records(row.getBytes(1), first);
                            while (records.next()) {
                                if (records.seq() >= cursors[i] && records.routedTo(reader.id)) {
                                    eventCounts[i]++;
                                    eventBytes[i] += records.jsonLength();
                                    if (oldest[i] < 0) {
                                        oldest[i] = records.receivedAtMillis();
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        for (int i = 0; i < all.size(); i++) {
            all.get(i).restored(eventCounts[i], eventBytes[i], oldest[i]);
        }
        bytes.set(total);
        db.commit();
    }

    /** Whether {@code more} payload bytes fit within {@link SpoolPolicy#maxBytes()}. */
    public boolean hasRoomFor(long more) {
        return bytes.get() + more <= policy.maxBytes();
    }

    /** Payload bytes held, each event counted once whatever the number of its destinations. */
    public long bytes() {
        return bytes.get();
    }

    public SpoolPolicy policy() {
        return policy;
    }

    /**
     * The reader named {@code name}, made if new. A new reader starts at the end of the log: it
     * gets what is appended from now on. A reader an earlier run left resumes where it was.
     */
    public SpoolReader reader(String name) {
        SpoolReader existing = readers.get(name);
        if (existing != null && !existing.removed()) {
            return existing;
        }
        return read(() -> {
            SpoolReader again = readers.get(name);
            if (again != null && !again.removed()) {
                return again;
            }
            int id = freeId();
            try (PreparedStatement s = db.prepareStatement("INSERT INTO readers (id, name, position) VALUES (?,?,?)")) {
                s.setInt(1, id);
                s.setString(2, name);
                s.setLong(3, nextSeq);
                s.executeUpdate();
            }
            // Nothing on disk is for a new reader yet: it is live from the start.
            SpoolReader reader = new SpoolReader(this, name, id, nextSeq, false);
            readers.put(name, reader);
            return reader;
        });
    }

    /** The names of the readers the spool holds, including those an earlier run left. */
    public List<String> readerNames() {
        return readers.values().stream().filter(r -> !r.removed()).map(SpoolReader::name).sorted().toList();
    }

    /** Forgets a reader and its position (after its backlog was drained); events only it needed go. */
    public void remove(SpoolReader reader) {
        reader.markRemoved();
        read(() -> {
            try (PreparedStatement s = db.prepareStatement("DELETE FROM readers WHERE id = ?")) {
                s.setInt(1, reader.id);
                s.executeUpdate();
            }
            readers.remove(reader.name(), reader);
            return null;
        });
    }

    /** The lowest id no current reader has: a reused id is safe, since a new reader starts at the log's end. */
    private int freeId() {
        BitSet used = new BitSet();
        readers.values().forEach(r -> used.set(r.id));
        return used.nextClearBit(0);
    }

    /** An event and the readers it goes to. */
    public record Routed(Event event, Collection<SpoolReader> readers) {}

    /**
     * Appends events, each for the readers listed with it. The future completes when they are
     * committed (and, with {@link SpoolPolicy.Fsync#ALWAYS}, fsynced), or fails if the disk refused
     * them: then the request must not be answered with success. Cancelling the future (a request
     * that gave up waiting) leaves nothing behind: what is not yet written is not written, and what
     * committed meanwhile is deleted before any reader sees it.
     */
    public CompletableFuture<Void> append(List<Routed> routed) {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("the spool is closed"));
        }
        long size = 0;
        for (Routed r : routed) {
            size += r.event().jsonLength();
        }
        Append op = new Append(routed, size, new CompletableFuture<>());
        bytes.addAndGet(size);
        enqueue(op);
        return op.done;
    }

    /** Queues a page read for a reader that has room and is behind. */
    void readFor(SpoolReader reader) {
        if (closed) {
            return;
        }
        enqueue(new PageRead(reader));
    }

    /**
     * Reads {@code reader}'s unhanded events to {@code each} and finishes them, a page per turn of
     * the writer so appends go on meanwhile; see {@link SpoolReader#drain}.
     */
    void drain(SpoolReader reader, Consumer<Event> each) {
        long from = reader.startDrain();
        while (from >= 0) {
            long start = from;
            from = read(() -> {
                List<Row> rows = new ArrayList<>();
                long next = scan(reader, start, MAX_SCAN, MAX_SCAN, Long.MAX_VALUE, rows, null);
                for (Row row : rows) {
                    each.accept(row.event()); // may throw: the reader keeps the rest
                    reader.drained(row.seq(), row.event());
                }
                if (next < 0) {
                    reader.drainedToEnd(nextSeq);
                }
                return next;
            });
        }
    }

    /** One event row of a page. */
    record Row(long seq, Event event) {}

    /**
     * Reads events from {@code from} on, keeping those routed to {@code reader}, up to the limits.
     * Returns where the next read starts, or -1 when the end of the log was reached. When it stops
     * at a routed event that did not fit, {@code nextOldest[0]} gets that event's received-at time.
     */
    private long scan(SpoolReader reader, long from, int maxScan, int maxEvents, long maxBytes, List<Row> rows,
                      long[] nextOldest) throws SQLException {
        // From the row holding position `from` (a reader may stop inside a row), in order.
        try (PreparedStatement q = db.prepareStatement("SELECT first_seq, count, tally, events FROM batches"
                + " WHERE first_seq >= COALESCE((SELECT MAX(first_seq) FROM batches WHERE first_seq <= ?), 0)"
                + " ORDER BY first_seq")) {
            q.setLong(1, from);
            int seen = 0;
            long taken = 0;
            try (ResultSet r = q.executeQuery()) {
                while (r.next()) {
                    long first = r.getLong(1);
                    long end = first + r.getLong(2);
                    if (end <= from) {
                        continue;
                    }
                    if (seen >= maxScan) {
                        return Math.max(first, from);
                    }
                    seen += (int) (end - Math.max(first, from));
                    if (SpoolRow.tallyOf(r.getBytes(3), reader.id)[0] == 0) {
                        continue; // nothing here for this reader: its payloads are not even read
                    }
                    SpoolRow.Records records = new SpoolRow.Records(r.getBytes(4), first);
                    while (records.next()) {
                        if (records.seq() < from || !records.routedTo(reader.id)) {
                            continue;
                        }
                        if (rows.size() >= maxEvents || (taken > 0 && taken >= maxBytes)) {
                            if (nextOldest != null) {
                                nextOldest[0] = records.receivedAtMillis();
                            }
                            return records.seq();
                        }
                        Event event = records.event();
                        taken += event.jsonLength();
                        rows.add(new Row(records.seq(), event));
                    }
                }
            }
            return -1;
        }
    }

    private <T> T read(SqlRead<T> read) {
        if (closed) {
            throw new IllegalStateException("the spool is closed");
        }
        Read<T> op = new Read<>(read, new CompletableFuture<>());
        enqueue(op);
        try {
            return op.result.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException("the spool could not read: " + e.getCause(), e.getCause());
        }
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
                Op first = queue.poll(TICK_MILLIS, TimeUnit.MILLISECONDS);
                if (first == null) {
                    tickIfDue(true);
                    syncIfDue();
                    continue;
                }
                ops.add(first);
                queue.drainTo(ops, MAX_OPS_PER_TRANSACTION);
                boolean stop = commit(ops);
                ops.clear();
                if (stop) {
                    tickIfDue(false);
                    break;
                }
                tickIfDue(true);
                syncIfDue();
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
            release(lockChannel, lock);
        }
    }

    /**
     * Runs {@code ops} in one transaction. When it fails (a full disk, an I/O error, an event the
     * table cannot hold), every append in it fails, so its request is refused, and the writer keeps
     * going: the spool works again once the disk does. After the commit, each append's events go
     * to their readers, in the order of their positions.
     */
    private boolean commit(List<Op> ops) {
        boolean stop = false;
        List<PageRead> pageReads = new ArrayList<>();
        try {
            if (insert == null) {
                insert = db.prepareStatement(SpoolRow.INSERT);
            }
            for (Op op : ops) {
                if (op instanceof Append append) {
                    if (append.done.isCancelled()) {
                        bytes.addAndGet(-append.size);
                    } else {
                        insert(append);
                    }
                } else if (op instanceof Read<?> read) {
                    read.run();
                } else if (op instanceof PageRead page) {
                    pageReads.add(page);
                } else if (op instanceof Stop) {
                    stop = true;
                }
            }
            db.commit();
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly();
            closeStatements(); // a statement that failed mid-way is not reliably usable again
            RuntimeException failure = diskFull(e)
                    ? new SpoolFullException("the disk holding the spool is full: " + e.getMessage(), e)
                    : new IllegalStateException("the spool could not write: " + e.getMessage(), e);
            for (Op op : ops) {
                if (op instanceof Append a && !a.done.isDone()) {
                    bytes.addAndGet(-a.size);
                    a.done.completeExceptionally(failure);
                } else if (op instanceof Read<?> read) {
                    read.result.completeExceptionally(failure);
                } else if (op instanceof PageRead page) {
                    pageReads.add(page);
                } else if (op instanceof Stop) {
                    stop = true;
                }
            }
            LOG.log(System.Logger.Level.ERROR, "a spool transaction failed: " + e);
            runPageReads(pageReads);
            return stop;
        }
        for (Op op : ops) {
            if (op instanceof Append a && a.first >= 0) {
                if (a.done.isCancelled()) {
                    // Its request was refused while this committed: the client sends the events again.
                    forget(a);
                } else {
                    // Readers count the events before the request is answered, so a backlog bound holds.
                    // One cancelled just now is delivered: a duplicate of what its client sends again.
                    dispatch(a);
                    a.done.complete(null);
                }
            }
        }
        runPageReads(pageReads);
        return stop;
    }

    private void dispatch(Append append) {
        long seq = append.first;
        for (Routed r : append.routed) {
            for (SpoolReader reader : r.readers()) {
                reader.appended(seq, r.event());
            }
            seq++;
        }
    }

    /** Deletes a committed append no reader has seen yet (writer thread, so none can meanwhile). */
    private void forget(Append append) {
        try (PreparedStatement s = db.prepareStatement("DELETE FROM batches WHERE first_seq >= ? AND first_seq < ?")) {
            s.setLong(1, append.first);
            s.setLong(2, append.first + append.routed.size());
            s.executeUpdate();
            db.commit();
            bytes.addAndGet(-append.size);
        } catch (SQLException e) {
            rollbackQuietly();
            // Then the events stay and are delivered: a duplicate of what the client sends again.
            LOG.log(System.Logger.Level.WARNING, "could not forget the events of a refused request: " + e.getMessage());
            dispatch(append);
        }
    }

    private void runPageReads(List<PageRead> reads) {
        for (PageRead read : reads) {
            SpoolReader reader = read.reader;
            SpoolReader.PageRequest request = reader.pageRequest();
            if (request == null) {
                continue;
            }
            List<Row> rows = new ArrayList<>();
            long[] nextOldest = {-1};
            long next;
            try {
                next = scan(reader, request.from(), MAX_SCAN, request.events(), request.bytes(), rows, nextOldest);
                db.commit(); // ends the read transaction, so a checkpoint can pass it
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly();
                closeStatements();
                LOG.log(System.Logger.Level.ERROR, "the spool could not read for " + reader.name() + ": " + e);
                // Tried again on the engine's next room report.
                continue;
            }
            boolean end = next < 0;
            long resume = end ? nextSeq : next;
            reader.page(rows, resume, end, nextOldest[0]);
        }
    }

    /**
     * Every {@value #TICK_MILLIS} ms: writes the readers' moved positions and deletes the events
     * every reader has passed. Lost positions only mean events delivered again after a crash.
     */
    private void tickIfDue(boolean onlyIfDue) {
        if (onlyIfDue && System.nanoTime() - lastTickNanos < TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS)) {
            return;
        }
        lastTickNanos = System.nanoTime();
        try {
            try (PreparedStatement update = db.prepareStatement("UPDATE readers SET position = ? WHERE id = ?")) {
                for (SpoolReader reader : readers.values()) {
                    long cursor = reader.takeCursorChange(nextSeq);
                    if (cursor >= 0 && !reader.removed()) {
                        update.setLong(1, cursor);
                        update.setInt(2, reader.id);
                        update.executeUpdate();
                    }
                }
            }
            long min = readers.values().stream().filter(r -> !r.removed())
                    .mapToLong(r -> r.cursor(nextSeq)).min().orElse(nextSeq);
            long freed = 0;
            if (min > collectedBelow) {
                // A row goes once every reader passed all of its events.
                String passed = " FROM batches WHERE first_seq < ?1 AND first_seq + count <= ?1";
                try (PreparedStatement sum = db.prepareStatement("SELECT COALESCE(SUM(bytes), 0)" + passed);
                     PreparedStatement delete = db.prepareStatement("DELETE" + passed)) {
                    sum.setLong(1, min);
                    try (ResultSet r = sum.executeQuery()) {
                        freed = r.next() ? r.getLong(1) : 0;
                    }
                    delete.setLong(1, min);
                    delete.executeUpdate();
                }
            }
            db.commit();
            collectedBelow = Math.max(collectedBelow, min);
            bytes.addAndGet(-freed);
            if (positionsFailing) {
                positionsFailing = false;
                LOG.log(System.Logger.Level.INFO, "the spool writes reader positions again");
            }
        } catch (SQLException e) {
            rollbackQuietly();
            // Once per failure, not every tick: a full disk fails every tick until it has room.
            if (!positionsFailing) {
                positionsFailing = true;
                LOG.log(System.Logger.Level.WARNING, "the spool could not write reader positions: " + e.getMessage());
            }
        }
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
        try {
            if (insert != null) {
                insert.close();
            }
        } catch (SQLException e) {
            // it is dropped either way
        }
        insert = null;
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

    /** Writes an append as one row, or as rows of at most {@value #MAX_ROW_BYTES} bytes of payload when it is bigger. */
    private void insert(Append append) throws SQLException {
        append.first = nextSeq;
        List<Event> events = new ArrayList<>();
        List<BitSet> routes = new ArrayList<>();
        long rowBytes = 0;
        for (Routed r : append.routed) {
            if (!events.isEmpty() && rowBytes + r.event().jsonLength() > MAX_ROW_BYTES) {
                insertRow(events, routes);
                rowBytes = 0;
            }
            BitSet readers = new BitSet();
            r.readers().forEach(reader -> readers.set(reader.id));
            events.add(r.event());
            routes.add(readers);
            rowBytes += r.event().jsonLength();
        }
        if (!events.isEmpty()) {
            insertRow(events, routes);
        }
    }

    private void insertRow(List<Event> events, List<BitSet> routes) throws SQLException {
        SpoolRow.insert(insert, nextSeq, events, routes);
        nextSeq += events.size();
        events.clear();
        routes.clear();
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
                bytes.addAndGet(-a.size);
                a.done.completeExceptionally(new IllegalStateException("the spool is closed"));
            } else if (op instanceof Read<?> read) {
                read.result.completeExceptionally(new IllegalStateException("the spool is closed"));
            }
        }
    }

    private static void release(FileChannel channel, FileLock lock) {
        try {
            if (lock != null) {
                lock.release();
            }
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot release the spool's lock file: " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "Spool[" + file + "]";
    }

    private sealed interface Op permits Append, Read, PageRead, Stop {}

    private static final class Append implements Op {
        final List<Routed> routed;
        final long size;
        final CompletableFuture<Void> done;
        /** The first event's position once inserted; -1 before. */
        long first = -1;

        Append(List<Routed> routed, long size, CompletableFuture<Void> done) {
            this.routed = routed;
            this.size = size;
            this.done = done;
        }
    }

    @FunctionalInterface
    private interface SqlRead<T> {
        T read() throws SQLException;
    }

    /** Work run on the writer thread, which owns the connection. */
    private record Read<T>(SqlRead<T> query, CompletableFuture<T> result) implements Op {
        void run() {
            try {
                result.complete(query.read());
            } catch (SQLException | RuntimeException e) {
                result.completeExceptionally(e);
            }
        }
    }

    private record PageRead(SpoolReader reader) implements Op {}

    private record Stop() implements Op {}
}
