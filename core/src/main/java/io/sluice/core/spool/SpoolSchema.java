package io.sluice.core.spool;

import io.sluice.spi.event.Event;
import io.sluice.spi.event.EventType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The spool's tables, and the moves from earlier layouts to rows of {@link SpoolRow}:
 * <ul>
 *   <li>0.1: one {@code pending} row per event and destination, the payload repeated;</li>
 *   <li>0.2: one {@code events} row per event, with the set of readers it is routed to.</li>
 * </ul>
 * Each old event becomes a row of its own at its old position, routed as before, so a spool an
 * earlier version left is delivered, in order, after an upgrade.
 */
final class SpoolSchema {

    private static final String OLD_COLUMNS = "type, message_id, user_id, anonymous_id, previous_id, group_id,"
            + " event_name, timestamp_ms, received_at_ms, json";

    private SpoolSchema() {}

    /** Makes the tables if new, migrates an old layout, and returns the next free position. */
    static long prepare(Connection db, SpoolPolicy policy) throws SQLException {
        try (Statement s = db.createStatement()) {
            // A row holds a request's events (one to a few hundred KB); 16 KiB pages leave less of
            // each last page empty than 4 KiB ones (BENCHMARKS.md). Only takes effect when the file is created.
            s.execute("PRAGMA page_size=16384");
            s.execute("PRAGMA journal_mode=WAL");
            s.execute(policy.fsync() == SpoolPolicy.Fsync.ALWAYS ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
            s.execute(SpoolRow.CREATE);
            s.execute("CREATE TABLE IF NOT EXISTS readers ("
                    + "id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, position INTEGER NOT NULL)");
        }
        db.setAutoCommit(false);
        migratePending(db);
        migrateEvents(db);
        long next;
        try (Statement s = db.createStatement();
             ResultSet r = s.executeQuery("SELECT first_seq + count FROM batches ORDER BY first_seq DESC LIMIT 1")) {
            next = r.next() ? r.getLong(1) : 1;
        }
        try (Statement s = db.createStatement();
             ResultSet r = s.executeQuery("SELECT COALESCE(MAX(position), 0) FROM readers")) {
            // A reader may stand past every event left (all were delivered and deleted).
            next = Math.max(next, r.next() ? r.getLong(1) : 0);
        }
        db.commit();
        return next;
    }

    private static void migratePending(Connection db) throws SQLException {
        if (!exists(db, "pending")) {
            return;
        }
        Map<String, Integer> ids = new HashMap<>();
        try (Statement s = db.createStatement();
             ResultSet r = s.executeQuery("SELECT DISTINCT destination FROM pending ORDER BY destination")) {
            while (r.next()) {
                ids.put(r.getString(1), ids.size());
            }
        }
        try (PreparedStatement reader = db.prepareStatement("INSERT INTO readers (id, name, position) VALUES (?,?,0)")) {
            for (Map.Entry<String, Integer> e : ids.entrySet()) {
                reader.setInt(1, e.getValue());
                reader.setString(2, e.getKey());
                reader.executeUpdate();
            }
        }
        try (Statement s = db.createStatement();
             ResultSet r = s.executeQuery("SELECT id, destination, " + OLD_COLUMNS + " FROM pending ORDER BY id");
             PreparedStatement insert = db.prepareStatement(SpoolRow.INSERT)) {
            while (r.next()) {
                BitSet routes = new BitSet();
                routes.set(ids.get(r.getString(2)));
                SpoolRow.insert(insert, r.getLong(1), List.of(oldEvent(r, 3)), List.of(routes));
            }
        }
        try (Statement s = db.createStatement()) {
            s.execute("DROP TABLE pending");
        }
        db.commit();
    }

    private static void migrateEvents(Connection db) throws SQLException {
        if (!exists(db, "events")) {
            return;
        }
        try (Statement s = db.createStatement();
             ResultSet r = s.executeQuery("SELECT seq, routes, " + OLD_COLUMNS + " FROM events ORDER BY seq");
             PreparedStatement insert = db.prepareStatement(SpoolRow.INSERT)) {
            while (r.next()) {
                SpoolRow.insert(insert, r.getLong(1), List.of(oldEvent(r, 3)), List.of(BitSet.valueOf(r.getBytes(2))));
            }
        }
        try (Statement s = db.createStatement()) {
            s.execute("DROP TABLE events");
        }
        db.commit();
    }

    private static boolean exists(Connection db, String table) throws SQLException {
        try (PreparedStatement s = db.prepareStatement("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")) {
            s.setString(1, table);
            try (ResultSet r = s.executeQuery()) {
                return r.next();
            }
        }
    }

    /** The event of an old row whose {@link #OLD_COLUMNS} start at column {@code at}. */
    private static Event oldEvent(ResultSet r, int at) throws SQLException {
        return Event.builder(EventType.fromWireName(r.getString(at)).orElseThrow(), r.getString(at + 1), r.getBytes(at + 9))
                .userId(r.getString(at + 2))
                .anonymousId(r.getString(at + 3))
                .previousId(r.getString(at + 4))
                .groupId(r.getString(at + 5))
                .eventName(r.getString(at + 6))
                .timestamp(Instant.ofEpochMilli(r.getLong(at + 7)))
                .receivedAt(Instant.ofEpochMilli(r.getLong(at + 8)))
                .build();
    }
}
