package io.sluice.runner.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real PostgreSQL server from Debian's {@code postgresql} package (installed with apt-get when it
 * is missing and we are root), started once per test class on a free 127.0.0.1 port in a temporary
 * folder, with password authentication: {@code @RegisterExtension static final LocalPostgres postgres = new LocalPostgres();}.
 * As root it runs as the {@code postgres} user (initdb refuses root). {@link #stop()} and
 * {@link #start()} take it away and bring it back on the same port and data.
 */
public final class LocalPostgres implements BeforeAllCallback, AfterAllCallback {

    public static final String USER = "sluice";
    public static final String PASSWORD = "local-test-password";
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private Path dir;
    private Path bin;
    private int port;
    private Process server;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        bin = binaries();
        dir = Files.createTempDirectory("sluice-postgres");
        port = freePort();
        Files.writeString(dir.resolve("pw"), PASSWORD + "\n");
        if (root()) {
            run(List.of("chown", "-R", "postgres", dir.toString()));
            run(List.of("chmod", "700", dir.toString()));
        }
        run(asPostgres(List.of(bin.resolve("initdb").toString(), "-D", data().toString(), "-U", USER,
                "--auth=scram-sha-256", "--pwfile=" + dir.resolve("pw"), "--no-sync", "-E", "UTF8")));
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        stop();
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Starts the server (again) and waits until it takes connections. */
    public synchronized void start() throws Exception {
        Path log = dir.resolve("postgres.log");
        server = new ProcessBuilder(asPostgres(List.of(bin.resolve("postgres").toString(), "-D", data().toString(),
                "-p", Integer.toString(port), "-k", dir.toString(), "-c", "listen_addresses=127.0.0.1",
                "-c", "fsync=off", "-c", "max_connections=60")))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try (Connection c = connect("postgres")) {
                return;
            } catch (SQLException e) {
                if (!server.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("PostgreSQL did not start: " + Files.readString(log), e);
                }
                Thread.sleep(100);
            }
        }
    }

    /** Fast shutdown: open connections are cut, as when a database goes away. */
    public synchronized void stop() throws Exception {
        if (server == null) {
            return;
        }
        Path pidFile = data().resolve("postmaster.pid");
        if (Files.exists(pidFile)) {
            String pid = Files.readAllLines(pidFile).get(0).trim();
            run(List.of("kill", "-INT", pid));
        } else {
            server.destroy();
        }
        if (!server.waitFor(60, TimeUnit.SECONDS)) {
            server.destroyForcibly();
        }
        server = null;
    }

    /** A new empty database, so that each test has its own admin state. */
    public String createDatabase() throws SQLException {
        String name = "sluice_" + DATABASES.incrementAndGet();
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return name;
    }

    /** {@code postgresql://127.0.0.1:port/database}, as {@code admin.store} takes it. */
    public String url(String database) {
        return "postgresql://127.0.0.1:" + port + "/" + database;
    }

    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection("jdbc:" + url(database), USER, PASSWORD);
    }

    private Path data() {
        return dir.resolve("data");
    }

    private static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static List<String> asPostgres(List<String> command) {
        if (!root()) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        wrapped.addAll(command);
        return wrapped;
    }

    /** The newest installed server's bin folder; installs Debian's package when there is none. */
    private static Path binaries() throws Exception {
        Path installed = newest();
        if (installed == null && root()) {
            run(List.of("apt-get", "update", "-q"));
            run(List.of("apt-get", "install", "-y", "-q", "postgresql"));
            installed = newest();
        }
        if (installed == null) {
            throw new IllegalStateException("PostgreSQL is not installed: apt-get install postgresql");
        }
        return installed;
    }

    private static Path newest() throws IOException {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return null;
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("postgres")))
                    .max(Comparator.comparing(b -> Integer.parseInt(b.getParent().getFileName().toString().replaceAll("\\D", "0"))))
                    .orElse(null);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    static void run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
    }
}
