package io.sluice.runner.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.runner.config.AdminStoreAddress;
import io.undertow.util.StatusCodes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.function.LongConsumer;
import org.flywaydb.core.Flyway;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin state in PostgreSQL ({@code admin.store}), shared by every node pointed at it. Flyway
 * keeps the schema. A write raises the one-row revision (its row lock makes writes one at a time),
 * checks the entry's version, and sends {@code NOTIFY sluice_admin} in the same transaction. A
 * watcher thread on a connection of its own {@code LISTEN}s, and also reads the revision every
 * {@link #CHECK_INTERVAL} in case a notification was missed (a dropped connection): every node
 * hears of a change within that time. While the database cannot be reached, reads and writes throw
 * a 503 {@link AdminException} and {@link #problem()} says why; the watcher reconnects by itself.
 */
final class PostgresAdminStore implements AdminStore {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresAdminStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String CHANNEL = "sluice_admin";
    static final Duration CHECK_INTERVAL = Duration.ofMillis(500);

    private final AdminStoreAddress address;
    private final String instanceId;
    private final SessionStore sessions = new Sessions();
    private Connection connection; // guarded by this
    private volatile String problem;
    private volatile boolean closed;
    private Thread watcher;

    private PostgresAdminStore(AdminStoreAddress address, String instanceId) {
        this.address = address;
        this.instanceId = instanceId;
    }

    /**
     * Connects and brings the schema up to date.
     *
     * @throws IllegalStateException naming the store when it cannot be reached or migrated
     */
    static PostgresAdminStore open(AdminStoreAddress address, String instanceId) {
        PostgresAdminStore store = new PostgresAdminStore(address, instanceId);
        try {
            Flyway.configure()
                    .dataSource(address.jdbcUrl(), address.user().orElse(null), address.password().orElse(null))
                    .locations("classpath:io/sluice/runner/admin/migration")
                    .table("sluice_schema_history")
                    .load()
                    .migrate();
            synchronized (store) {
                store.connection();
            }
        } catch (RuntimeException | SQLException e) {
            throw new IllegalStateException("admin.store " + address + ": cannot be reached or prepared: "
                    + rootMessage(e), e);
        }
        return store;
    }

    @Override
    public synchronized Optional<Snapshot> readIfNewer(long knownRevision) {
        try {
            Connection c = connection();
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ); // the revision and the rows agree
            try {
                long revision;
                try (Statement s = c.createStatement();
                     ResultSet r = s.executeQuery("SELECT revision FROM sluice_admin_revision WHERE id = 1")) {
                    r.next();
                    revision = r.getLong(1);
                }
                if (revision == knownRevision) {
                    c.commit();
                    return Optional.empty();
                }
                List<Row> rows = new ArrayList<>();
                try (Statement s = c.createStatement();
                     ResultSet r = s.executeQuery("SELECT name, version, entry FROM sluice_admin_destinations ORDER BY version")) {
                    while (r.next()) {
                        rows.add(new Row(r.getString(1), r.getLong(2), entry(r.getString(1), r.getString(3))));
                    }
                }
                c.commit();
                return Optional.of(new Snapshot(revision, rows));
            } finally {
                c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            }
        } catch (SQLException e) {
            throw unreachable(e);
        }
    }

    private ObjectNode entry(String name, String text) {
        try {
            JsonNode node = JSON.readTree(text);
            if (node instanceof ObjectNode object) {
                return object;
            }
        } catch (JsonProcessingException e) {
            // refused below
        }
        throw new IllegalStateException(describe() + ": the stored entry of " + name + " is not a JSON object");
    }

    @Override
    public synchronized long write(String name, Optional<ObjectNode> entry, long expectedVersion) {
        try {
            Connection c = connection();
            c.setAutoCommit(false);
            try {
                long revision;
                try (Statement s = c.createStatement();
                     ResultSet r = s.executeQuery("UPDATE sluice_admin_revision SET revision = revision + 1 WHERE id = 1"
                             + " RETURNING revision")) {
                    r.next();
                    revision = r.getLong(1);
                }
                long current = 0;
                try (PreparedStatement s = c.prepareStatement("SELECT version FROM sluice_admin_destinations WHERE name = ?")) {
                    s.setString(1, name);
                    try (ResultSet r = s.executeQuery()) {
                        if (r.next()) {
                            current = r.getLong(1);
                        }
                    }
                }
                if (expectedVersion >= 0 && expectedVersion != current) {
                    c.rollback();
                    throw new StaleVersionException(name);
                }
                if (entry.isPresent()) {
                    try (PreparedStatement s = c.prepareStatement("INSERT INTO sluice_admin_destinations (name, version, entry)"
                            + " VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET version = EXCLUDED.version, entry = EXCLUDED.entry")) {
                        s.setString(1, name);
                        s.setLong(2, revision);
                        s.setString(3, JSON.writeValueAsString(entry.get()));
                        s.executeUpdate();
                    }
                } else {
                    try (PreparedStatement s = c.prepareStatement("DELETE FROM sluice_admin_destinations WHERE name = ?")) {
                        s.setString(1, name);
                        s.executeUpdate();
                    }
                }
                try (PreparedStatement s = c.prepareStatement("SELECT pg_notify(?, ?)")) {
                    s.setString(1, CHANNEL);
                    s.setString(2, Long.toString(revision));
                    s.execute();
                }
                c.commit();
                return revision;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            }
        } catch (SQLException e) {
            throw unreachable(e);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public SessionStore sessions() {
        return sessions;
    }

    @Override
    public Optional<String> problem() {
        return Optional.ofNullable(problem);
    }

    @Override
    public String describe() {
        return address.url().toString();
    }

    @Override
    public synchronized void watch(LongConsumer changed) {
        if (watcher != null) {
            throw new IllegalStateException("already watched");
        }
        watcher = new Thread(() -> watchLoop(changed), "sluice-admin-store-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    /** LISTENs, and reads the revision after each wait; reconnects after a failure. */
    private void watchLoop(LongConsumer changed) {
        long seen = -1;
        Connection listening = null;
        while (!closed) {
            try {
                if (listening == null) {
                    listening = connect();
                    try (Statement s = listening.createStatement()) {
                        s.execute("LISTEN " + CHANNEL);
                    }
                }
                listening.unwrap(PGConnection.class).getNotifications((int) CHECK_INTERVAL.toMillis());
                long revision;
                try (Statement s = listening.createStatement();
                     ResultSet r = s.executeQuery("SELECT revision FROM sluice_admin_revision WHERE id = 1")) {
                    r.next();
                    revision = r.getLong(1);
                }
                if (problem != null) {
                    LOG.info("admin store {} is reachable again", describe());
                    problem = null;
                }
                if (revision != seen) {
                    seen = revision;
                    changed.accept(revision);
                }
            } catch (SQLException | RuntimeException e) {
                if (closed) {
                    break;
                }
                if (e instanceof SQLException sql) {
                    unreachable(sql);
                } else {
                    LOG.warn("applying the admin store's changes failed: {}", e.getMessage());
                }
                closeQuietly(listening);
                listening = null;
                sleep(CHECK_INTERVAL.multipliedBy(2));
            }
        }
        closeQuietly(listening);
    }

    private Connection connection() throws SQLException {
        if (connection == null || connection.isClosed()) {
            connection = connect();
        }
        return connection;
    }

    private Connection connect() throws SQLException {
        Properties properties = new Properties();
        address.user().ifPresent(u -> properties.setProperty("user", u));
        address.password().ifPresent(p -> properties.setProperty("password", p));
        // A database that is gone must not hold a dashboard request or the watcher for long.
        properties.setProperty("connectTimeout", "3");
        properties.setProperty("socketTimeout", "10");
        properties.setProperty("tcpKeepAlive", "true");
        properties.setProperty("ApplicationName", "sluice " + instanceId);
        return DriverManager.getConnection(address.jdbcUrl(), properties);
    }

    /** Notes the failure, drops the connection, and gives the 503 a dashboard write answers. */
    private AdminException unreachable(SQLException e) {
        String why = rootMessage(e);
        if (problem == null) {
            LOG.warn("admin store {} cannot be reached: {}; routing goes on with the configuration last applied", describe(), why);
        }
        problem = "the admin store " + describe() + " cannot be reached: " + why;
        synchronized (this) {
            closeQuietly(connection);
            connection = null;
        }
        return new AdminException(StatusCodes.SERVICE_UNAVAILABLE, "store_unavailable", "the admin store (" + describe()
                + ") cannot be reached, so changes cannot be saved now; every node goes on routing with the"
                + " configuration it last applied. Try again once the database is back.");
    }

    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return message.lines().findFirst().orElse(message);
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            // the connection is gone; nothing was committed
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                // closing anyway
            }
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        Thread w;
        synchronized (this) {
            w = watcher;
            closeQuietly(connection);
            connection = null;
        }
        if (w != null) {
            w.interrupt();
            try {
                w.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Sessions in {@code sluice_admin_sessions}: a login is good on every node, a logout ends it on all. */
    private final class Sessions implements SessionStore {
        @Override
        public void put(String key, Instant expires) {
            update("INSERT INTO sluice_admin_sessions (session_key, expires) VALUES (?, ?)", key, expires);
        }

        @Override
        public Optional<Instant> find(String key, Instant now) {
            synchronized (PostgresAdminStore.this) {
                try {
                    Connection c = connection();
                    c.setAutoCommit(true);
                    try (PreparedStatement s = c.prepareStatement(
                            "SELECT expires FROM sluice_admin_sessions WHERE session_key = ? AND expires > ?")) {
                        s.setString(1, key);
                        s.setTimestamp(2, Timestamp.from(now));
                        try (ResultSet r = s.executeQuery()) {
                            return r.next() ? Optional.of(r.getTimestamp(1).toInstant()) : Optional.empty();
                        }
                    }
                } catch (SQLException e) {
                    throw unreachable(e);
                }
            }
        }

        @Override
        public void remove(String key) {
            update("DELETE FROM sluice_admin_sessions WHERE session_key = ?", key, null);
        }

        @Override
        public void sweep(Instant now, int max) {
            update("DELETE FROM sluice_admin_sessions WHERE expires <= ?", null, now);
            update("DELETE FROM sluice_admin_sessions WHERE session_key IN (SELECT session_key FROM sluice_admin_sessions"
                    + " ORDER BY expires DESC OFFSET " + Math.max(0, max - 1) + ")", null, null);
        }

        private void update(String sql, String key, Instant time) {
            synchronized (PostgresAdminStore.this) {
                try {
                    Connection c = connection();
                    c.setAutoCommit(true);
                    try (PreparedStatement s = c.prepareStatement(sql)) {
                        int i = 1;
                        if (key != null) {
                            s.setString(i++, key);
                        }
                        if (time != null) {
                            s.setTimestamp(i, Timestamp.from(time));
                        }
                        s.executeUpdate();
                    }
                } catch (SQLException e) {
                    throw unreachable(e);
                }
            }
        }
    }
}
