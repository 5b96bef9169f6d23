package io.sluice.kinesis.local;

import io.sluice.kinesis.KinesisClients;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/**
 * A local Kinesis server (kinesalite 3.3.3 on Node) for tests and {@code sluice serve}: in memory,
 * bound to 127.0.0.1 only, on a free port.
 *
 * <pre>{@code
 * try (Kinesalite kinesis = Kinesalite.start()) {
 *     kinesis.createStream("events", 4);
 *     // point a destination's endpoint at kinesis.endpoint(), region us-east-1, any keys
 *     List<Record> records = kinesis.records("events");
 * }
 * }</pre>
 *
 * <p>kinesalite is installed with npm on first use into {@code $SLUICE_CACHE_DIR/kinesalite-3.3.3}
 * (default {@code ~/.cache/sluice}); {@code node} and {@code npm} must be on the PATH. It does not
 * check credentials. Clients must speak JSON, not CBOR: those {@link KinesisClients#build} points at
 * its endpoint do.
 */
public final class Kinesalite implements AutoCloseable {

    public static final String VERSION = "3.3.3";
    /** Any region works; clients must still name one. */
    public static final String REGION = "us-east-1";

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration STREAM_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern LISTENING = Pattern.compile("kinesalite listening on 127\\.0\\.0\\.1:(\\d+)");

    /*
     * kinesalite's own CLI binds every interface, so start it from this script instead. It exits when
     * its stdin closes, which happens when the JVM dies by any means, so no server outlives its owner.
     * kinesalite throws from a request's error handler when a client drops a connection mid-request,
     * which would end the whole server; a real Kinesis shrugs that off, so this one does too.
     */
    private static final String SERVER_SCRIPT = """
            process.on('uncaughtException', function (err) {
              if (err && err.code === 'ECONNRESET') { return; }
              console.error(err);
              process.exit(1);
            });
            var server = require('kinesalite')({shardLimit: 10000, createStreamMs: 50, deleteStreamMs: 50,
                updateStreamMs: 50});
            server.listen(0, '127.0.0.1', function () {
              console.log('kinesalite listening on 127.0.0.1:' + server.address().port);
            });
            process.stdin.on('end', function () { process.exit(0); });
            process.stdin.on('error', function () { process.exit(0); });
            process.stdin.resume();
            """;
    private static final String SCRIPT_NAME = "sluice-kinesalite.js";

    private final Process process;
    private final URI endpoint;
    private final KinesisAsyncClient client;
    private final Thread shutdownHook;

    private Kinesalite(Process process, URI endpoint) {
        this.process = process;
        this.endpoint = endpoint;
        this.client = newClient();
        this.shutdownHook = new Thread(process::destroyForcibly, "kinesalite-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Installs kinesalite if needed and starts a fresh, empty server. */
    public static Kinesalite start() {
        Path home = install(cacheDir().resolve("kinesalite-" + VERSION));
        try {
            Process process = new ProcessBuilder("node", SCRIPT_NAME)
                    .directory(home.toFile())
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            int port;
            try {
                port = awaitPort(process);
            } catch (RuntimeException e) {
                process.destroyForcibly();
                throw e;
            }
            try {
                return new Kinesalite(process, URI.create("http://127.0.0.1:" + port));
            } catch (RuntimeException e) {
                process.destroyForcibly();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start node; is it on the PATH?", e);
        }
    }

    /** {@code http://127.0.0.1:PORT}. */
    public URI endpoint() {
        return endpoint;
    }

    /** A new client for this server, which the caller closes: region {@link #REGION}, dummy keys, HTTP/1.1. */
    public KinesisAsyncClient newClient() {
        var builder = KinesisAsyncClient.builder()
                .region(Region.of(REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClientBuilder(NettyNioAsyncHttpClient.builder().protocol(Protocol.HTTP1_1));
        return KinesisClients.build(builder, Optional.of(endpoint));
    }

    /** Creates a stream with {@code shards} shards and waits until it is ACTIVE. */
    public void createStream(String name, int shards) {
        client.createStream(r -> r.streamName(name).shardCount(shards)).join();
        long deadline = System.nanoTime() + STREAM_TIMEOUT.toNanos();
        while (client.describeStreamSummary(r -> r.streamName(name)).join()
                .streamDescriptionSummary().streamStatus() != StreamStatus.ACTIVE) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("stream " + name + " not ACTIVE after " + STREAM_TIMEOUT);
            }
            pause(20);
        }
    }

    /** Every record now in the stream, from the start of each shard, shard by shard in shard order. */
    public List<Record> records(String stream) {
        List<Record> records = new ArrayList<>();
        List<Shard> shards = client.listShards(r -> r.streamName(stream)).join().shards();
        for (Shard shard : shards) {
            String iterator = client.getShardIterator(r -> r.streamName(stream).shardId(shard.shardId())
                    .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).join().shardIterator();
            while (iterator != null) {
                String current = iterator;
                GetRecordsResponse page = client.getRecords(r -> r.shardIterator(current)).join();
                records.addAll(page.records());
                iterator = page.records().isEmpty() ? null : page.nextShardIterator();
            }
        }
        return records;
    }

    /**
     * SIGKILL, for fault tests: the server dies at once and, being in memory, loses every record it
     * held. Then closes this handle.
     */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        close();
    }

    /** Stops the server; its streams are gone. */
    @Override
    public void close() {
        client.close();
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook runs anyway
        }
    }

    private static Path cacheDir() {
        String configured = System.getenv("SLUICE_CACHE_DIR");
        return configured != null && !configured.isBlank()
                ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".cache", "sluice");
    }

    /** An install made by an older Sluice gets this version's script, replaced in one step. */
    private static void refreshScript(Path home) {
        try {
            if (!Files.readString(home.resolve(SCRIPT_NAME)).equals(SERVER_SCRIPT)) {
                Path fresh = Files.createTempFile(home, SCRIPT_NAME, ".new");
                Files.writeString(fresh, SERVER_SCRIPT);
                readableByAll(fresh);
                Files.move(fresh, home.resolve(SCRIPT_NAME), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot update the kinesalite script in " + home, e);
        }
    }

    /**
     * Installs into a private temporary folder, then moves it into place in one step, so parallel
     * builds never see half an install: the loser of a race just uses the winner's.
     */
    private static Path install(Path home) {
        if (Files.isRegularFile(home.resolve(SCRIPT_NAME))) {
            refreshScript(home);
            return home;
        }
        Path staging = null;
        try {
            Files.createDirectories(home.getParent());
            staging = Files.createTempDirectory(home.getParent(), home.getFileName() + ".installing-");
            readableByAll(staging);
            Files.writeString(staging.resolve("package.json"), "{\"name\":\"sluice-kinesalite\",\"private\":true}\n");
            run(staging, "npm", "install", "--omit=optional", "--no-audit", "--no-fund", "kinesalite@" + VERSION);
            Files.writeString(staging.resolve(SCRIPT_NAME), SERVER_SCRIPT);
            try {
                Files.move(staging, home, StandardCopyOption.ATOMIC_MOVE);
                staging = null;
            } catch (FileSystemException e) {
                // "Directory not empty" when another process installed it first: use theirs.
                if (!Files.isRegularFile(home.resolve(SCRIPT_NAME))) {
                    throw e;
                }
            }
            return home;
        } catch (AtomicMoveNotSupportedException e) {
            throw new IllegalStateException("cannot move the kinesalite install into " + home, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot install kinesalite " + VERSION + " into " + home, e);
        } finally {
            if (staging != null) {
                deleteQuietly(staging);
            }
        }
    }

    /** Temporary folders are private; the cache is shared by whoever runs builds on this machine. */
    private static void readableByAll(Path dir) throws IOException {
        if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    private static void run(Path dir, String... command) throws IOException {
        Process npm = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> readAll(npm.getInputStream()));
        try {
            if (!npm.waitFor(INSTALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                npm.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish within " + INSTALL_TIMEOUT);
            }
            if (npm.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed with exit code " + npm.exitValue()
                        + ":\n" + output.get(10, TimeUnit.SECONDS));
            }
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException(String.join(" ", command) + " failed", e);
        } catch (InterruptedException e) {
            npm.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while installing kinesalite", e);
        }
    }

    /** Reads the port from the server's first line, then keeps draining stdout so it never blocks. */
    private static int awaitPort(Process process) {
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> firstLine = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        String line;
        try {
            line = firstLine.get(STARTUP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("kinesalite did not start within " + STARTUP_TIMEOUT, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("kinesalite did not start", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting kinesalite", e);
        }
        Matcher m = line == null ? null : LISTENING.matcher(line);
        if (m == null || !m.matches()) {
            throw new IllegalStateException("kinesalite did not start; it said: " + line);
        }
        Thread drain = new Thread(() -> readAll(out), "kinesalite-stdout");
        drain.setDaemon(true);
        drain.start();
        return Integer.parseInt(m.group(1));
    }

    private static String readAll(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static void readAll(BufferedReader in) {
        try {
            while (in.readLine() != null) {
                // discard: kinesalite prints nothing we need after the port
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover staging folder is harmless
        }
    }

    @Override
    public String toString() {
        return "Kinesalite{" + endpoint + "}";
    }
}
