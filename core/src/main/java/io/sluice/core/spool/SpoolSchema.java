package io.sluice.core.spool;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/**
 * The spool's tables, and the move from the first layout (one {@code pending} row per event and
 * destination, payload repeated) to the log: each old row becomes an event for its destination's
 * reader, in the old order, so a spool an earlier version left is delivered after an upgrade.
 */
final class SpoolSchema {

    private SpoolSchema() {}

    /** Makes the tables if new, migrates an old layout, and returns the next free position. */
    static long prepare(Connection db, SpoolPolicy policy) throws SQLException {
        try (Statement s = db.createStatement()) {
            // Events of 1 to 4 KB fill 16 KiB pages well; with 4 KiB pages most of each page a row
            // dirties is left empty (BENCHMARKS.md). Only takes effect when the file is created.
            s.execute("PRAGMA page_size=16384");
            s.execute("PRAGMA journal_mode=WAL");
            s.execute(policy.fsync() == SpoolPolicy.Fsync.ALWAYS ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
            s.execute("CREATE TABLE IF NOT EXISTS events ("
                    + "seq INTEGER PRIMARY KEY, routes BLOB NOT NULL, type TEXT NOT NULL, message_id TEXT NOT NULL,"
                    + "user_id TEXT, anonymous_id TEXT, previous_id TEXT, group_id TEXT, event_name TEXT,"
                    + "timestamp_ms INTEGER NOT NULL, received_at_ms INTEGER NOT NULL, json BLOB NOT NULL)");
            s.execute("CREATE TABLE IF NOT EXISTS readers ("
                    + "id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, position INTEGER NOT NULL)");
        }
        db.setAutoCommit(false);
        migratePending(db);
        long next;
        try (Statement s = db.createStatement();
             ResultSet r = s.executeQuery("SELECT COALESCE(MAX(seq), 0) + 1 FROM events")) {
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
        try (Statement s = db.createStatement();
             ResultSet r = s.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'pending'")) {
            if (!r.next()) {
                return;
            }
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
             ResultSet r = s.executeQuery("SELECT id, destination, type, message_id, user_id, anonymous_id, previous_id,"
                     + " group_id, event_name, timestamp_ms, received_at_ms, json FROM pending ORDER BY id");
             PreparedStatement insert = db.prepareStatement("INSERT INTO events (seq, routes, type, message_id, user_id,"
                     + " anonymous_id, previous_id, group_id, event_name, timestamp_ms, received_at_ms, json)"
                     + " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")) {
            while (r.next()) {
                BitSet routes = new BitSet();
                routes.set(ids.get(r.getString(2)));
                insert.setLong(1, r.getLong(1));
                insert.setBytes(2, routes.toByteArray());
                for (int column = 3; column <= 12; column++) {
                    insert.setObject(column, r.getObject(column));
                }
                insert.executeUpdate();
            }
        }
        try (Statement s = db.createStatement()) {
            s.execute("DROP TABLE pending");
        }
        db.commit();
    }
}
