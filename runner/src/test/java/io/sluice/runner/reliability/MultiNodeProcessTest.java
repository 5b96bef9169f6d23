package io.sluice.runner.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.runner.testing.AdminClient;
import io.sluice.runner.testing.LocalKinesis;
import io.sluice.runner.testing.LocalPostgres;
import io.sluice.runner.testing.SpoolContents;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several {@code sluice serve} processes, as users run them, sharing an admin store in a real
 * PostgreSQL server and delivering to a local Kinesis: SIGHUP re-reads the configuration file, and
 * a real HAProxy spreads load over three nodes while one is SIGKILLed and restarted on its own spool.
 */
class MultiNodeProcessTest {

    static final String KEY = "wk-multi-node-process";
    static final String TOKEN = "admin-token-for-multi-node-process";
    static final String PASSWORD_ENV = "SLUICE_STORE_PASSWORD";
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @RegisterExtension
    static final LocalPostgres postgres = new LocalPostgres();

    @RegisterExtension
    static final LocalKinesis kinesis = new LocalKinesis();

    @TempDir
    Path dir;

    /** A node's configuration: its own port, spool and dead-letter file; the shared store, password from the environment. */
    String config(String node, int port, String database, String stream, String extra) throws IOException {
        return config(node, port, database, stream, kinesis.endpoint(), extra);
    }

    String config(String node, int port, String database, String stream, URI endpoint, String extra) throws IOException {
        Path own = Files.createDirectories(dir.resolve(node));
        return """
                server: {host: 127.0.0.1, port: %d, shutdownTimeoutMs: 5000, instanceId: %s}
                deadLetter: {path: '%s'}
                spool: {path: '%s'}
                admin: {port: 0, token: '%s', keyFile: '%s', store: '%s', storeUser: %s, storePassword: '${env:%s}'}
                sources:
                  - name: web
                    writeKey: %s
                    destinations:
                      - type: kinesis
                        name: events
                        settings: {region: us-east-1, stream: %s, endpoint: "%s", accessKeyId: local, secretAccessKey: local}
                %s""".formatted(port, node, own.resolve("dead.ndjson"), own.resolve("spool.db"), TOKEN,
                AdminClient.keyFile(dir.resolve("secret.key")), postgres.url(database), LocalPostgres.USER, PASSWORD_ENV,
                KEY, stream, endpoint, extra);
    }

    /** {@code sluice serve} logging as it does for users (INFO), not as the tests' own logback-test.xml says. */
    ServeProcess serve(String node, Path config) throws Exception {
        return ServeProcess.start(dir, node, config, Map.of(PASSWORD_ENV, LocalPostgres.PASSWORD),
                List.of("-Dlogback.configurationFile=" + io.sluice.runner.Main.class.getResource("/logback.xml")));
    }

    static int send(URI base, String messageId) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(base.resolve("/v1/track"))
                .header("Content-Type", "application/json")
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((KEY + ":").getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString("{\"userId\":\"u\",\"event\":\"E\",\"messageId\":\"" + messageId + "\"}"))
                .build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    static String get(URI uri) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    @Timeout(180)
    void sighupAppliesAValidFileLiveAndKeepsTheRunningConfigurationWhenTheFileIsNotValid() throws Exception {
        String database = postgres.createDatabase();
        kinesis.createStream("hup-before", 1);
        kinesis.createStream("hup-after", 1);
        Path file = dir.resolve("sluice.yaml");
        Files.writeString(file, config("hup-node", 0, database, "hup-before", ""));
        try (ServeProcess node = serve("hup-node", file);
             KinesisConsumer before = new KinesisConsumer(kinesis.endpoint(), "hup-before");
             KinesisConsumer after = new KinesisConsumer(kinesis.endpoint(), "hup-after")) {
            assertThat(send(node.baseUrl(), "hup-1")).isEqualTo(200);
            assertThat(before.readBack(Set.of("hup-1"), Duration.ofSeconds(30)).caughtUp()).isTrue();
            // Node identity, as /health and /metrics show it.
            assertThat(get(node.baseUrl().resolve("/health"))).contains("\"instance\":\"hup-node\"")
                    .contains("\"status\":\"ok\"");
            assertThat(get(node.baseUrl().resolve("/metrics"))).contains("sluice_instance_info{instance_id=\"hup-node\"} 1");

            Files.writeString(file, config("hup-node", 0, database, "hup-after", ""));
            node.signal("HUP");
            assertThat(Waits.until(Duration.ofSeconds(30), () -> log(node).contains("SIGHUP: " + file + " applied")))
                    .as("the reload is logged").isTrue();
            assertThat(send(node.baseUrl(), "hup-2")).isEqualTo(200);
            assertThat(after.readBack(Set.of("hup-2"), Duration.ofSeconds(30)).caughtUp()).as("routed the new way").isTrue();

            // Two mistakes: both are logged, and nothing changes.
            Files.writeString(file, config("hup-node", 0, database, "hup-broken", "bogus: 1\n")
                    .replace("shutdownTimeoutMs: 5000", "shutdownTimeoutMs: -1"));
            node.signal("HUP");
            assertThat(Waits.until(Duration.ofSeconds(30), () -> log(node).contains("is not valid"))).as("the refusal is logged")
                    .isTrue();
            assertThat(log(node)).contains("2 error(s)").contains("bogus: unknown field")
                    .contains("server.shutdownTimeoutMs: must not be negative")
                    .doesNotContain(LocalPostgres.PASSWORD);
            assertThat(send(node.baseUrl(), "hup-3")).isEqualTo(200);
            assertThat(after.readBack(Set.of("hup-2", "hup-3"), Duration.ofSeconds(30)).caughtUp())
                    .as("still routed by the configuration applied before").isTrue();
            assertThat(before.counts()).doesNotContainKeys("hup-2", "hup-3");
        }
    }

    static String log(ServeProcess node) {
        try {
            return Files.readString(node.stderr());
        } catch (IOException e) {
            return "";
        }
    }

    @Test
    @Timeout(300)
    void behindHaproxyEveryEventAnswered200IsDeliveredWhileANodeIsKilledAndRestartedOnItsSpool() throws Exception {
        String database = postgres.createDatabase();
        String stream = "behind-haproxy";
        kinesis.createStream(stream, 2);
        long events = Figures.intProperty("sluice.reliability.haproxyEvents", 3000);
        int[] ports = {freePort(), freePort(), freePort()};
        ServeProcess[] nodes = new ServeProcess[3];
        Process haproxy = null;
        // Node 2 reaches Kinesis through a proxy that the test stalls before killing it, so the killed
        // node holds accepted events that only its spool knows.
        try (TcpProxy proxy = TcpProxy.to(kinesis.endpoint());
             KinesisConsumer consumer = new KinesisConsumer(kinesis.endpoint(), stream)) {
            List<Path> configs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                configs.add(Files.writeString(dir.resolve("node-" + (i + 1) + ".yaml"), config("node-" + (i + 1), ports[i],
                        database, stream, i == 1 ? proxy.endpoint() : kinesis.endpoint(), "")));
            }
            for (int i = 0; i < 3; i++) {
                nodes[i] = serve("node-" + (i + 1), configs.get(i));
            }
            int front = freePort();
            haproxy = haproxy(front, ports);
            URI balancer = URI.create("http://127.0.0.1:" + front);
            assertThat(Waits.until(Duration.ofSeconds(30), () -> {
                try {
                    return send(balancer, "warm-up") == 200;
                } catch (Exception e) {
                    return false;
                }
            })).as("HAProxy in front of the nodes").isTrue();

            LoadGenerator load = new LoadGenerator(() -> balancer, KEY, "lb", 3, 20, events, Duration.ofMillis(10)).start();
            try {
                assertThat(Waits.until(Duration.ofSeconds(60), () -> load.acceptedCount() >= events / 4))
                        .as("load before the kill").isTrue();
                proxy.stall(true);
                long acceptedAtStall = load.acceptedCount();
                assertThat(Waits.until(Duration.ofSeconds(30), () -> load.acceptedCount() >= acceptedAtStall + 300))
                        .as("accepting while node 2's Kinesis stalls").isTrue();
                nodes[1].kill();
                long acceptedAtKill = load.acceptedCount();
                proxy.cut(); // what the dead node had on the wire is dropped, not delivered late
                proxy.reopen(kinesis.endpoint());
                long inSpool = SpoolContents.backlog(dir.resolve("node-2").resolve("spool.db"));
                assertThat(Waits.until(Duration.ofSeconds(30), () -> load.acceptedCount() >= acceptedAtKill + 200))
                        .as("the other nodes take the load").isTrue();
                nodes[1] = serve("node-2-again", configs.get(1)); // same port, same spool
                boolean done = load.awaitDone(Duration.ofSeconds(120));
                load.stop();
                KinesisConsumer.ReadBack read = consumer.readBack(load.accepted(), Duration.ofSeconds(90));
                Figures.of("haproxy-three-nodes-sigkill", load, read).put("acceptedAtKill", acceptedAtKill)
                        .put("inKilledSpool", inSpool).print();

                assertThat(inSpool).as("the killed node held accepted, undelivered events in its spool").isPositive();
                assertThat(read.lost()).as("answered 200 but never delivered").isEmpty();
                assertThat(read.caughtUp()).isTrue();
                assertThat(done).as("the load finished within its bound").isTrue();
                // Only the balancer's own answers while a node was down (502/503/504) may be unexpected.
                assertThat(load.unexpected()).allMatch(u -> u.startsWith("502") || u.startsWith("503") || u.startsWith("504"));
                for (int i = 0; i < 3; i++) {
                    assertThat(nodes[i].terminate(60)).as("node %d drains on SIGTERM", i + 1).isZero();
                }
            } finally {
                load.stop();
            }
        } finally {
            for (ServeProcess node : nodes) {
                if (node != null) {
                    node.close();
                }
            }
            if (haproxy != null) {
                haproxy.destroy();
                haproxy.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Debian's haproxy (installed when missing and we are root), on 127.0.0.1 only, round robin with health checks. */
    Process haproxy(int front, int[] ports) throws Exception {
        if (!Files.isExecutable(Path.of("/usr/sbin/haproxy")) && "root".equals(System.getProperty("user.name"))) {
            new ProcessBuilder("apt-get", "update", "-q").inheritIO().start().waitFor();
            new ProcessBuilder("apt-get", "install", "-y", "-q", "haproxy").inheritIO().start().waitFor();
        }
        StringBuilder servers = new StringBuilder();
        for (int i = 0; i < ports.length; i++) {
            servers.append("  server node-").append(i + 1).append(" 127.0.0.1:").append(ports[i]).append(" check\n");
        }
        Path cfg = Files.writeString(dir.resolve("haproxy.cfg"), """
                global
                  maxconn 512
                defaults
                  mode http
                  timeout connect 2s
                  timeout client 60s
                  timeout server 60s
                  retries 3
                  option redispatch
                frontend tracking
                  bind 127.0.0.1:%d
                  default_backend nodes
                backend nodes
                  balance roundrobin
                  option httpchk GET /ready
                  default-server inter 300ms fall 2 rise 2
                %s""".formatted(front, servers));
        return new ProcessBuilder("/usr/sbin/haproxy", "-db", "-f", cfg.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("haproxy.log").toFile()).start();
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }
}
