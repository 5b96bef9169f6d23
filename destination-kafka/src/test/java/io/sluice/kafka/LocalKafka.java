package io.sluice.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A real Kafka broker in KRaft mode (broker and controller in one process), from the Apache Kafka
 * artifacts on the test class path, run as a child JVM on 127.0.0.1. It has a PLAINTEXT listener
 * and a SASL_PLAINTEXT one with SCRAM-SHA-256/512 for user {@link #USER}; {@link #startWithTls()}
 * adds SSL and SASL_SSL ones, with a certificate from a CA made for the occasion. It can be stopped
 * and started again on the same ports and data.
 */
public final class LocalKafka implements AutoCloseable {

    public static final String USER = "sluice-user";
    public static final String PASSWORD = "scram-pa55word-right";

    private final Path dir;
    private final int port;
    private final int saslPort;
    private final int controllerPort;
    /** With TLS listeners: the broker's keystore and the CA that signed it; null without. */
    private final TestCertificates certificates;
    private final int sslPort;
    private final int saslSslPort;
    private Process process;

    private LocalKafka(Path dir, boolean tls) {
        this.dir = dir;
        this.port = freePort();
        this.saslPort = freePort();
        this.controllerPort = freePort();
        this.certificates = tls ? TestCertificates.brokerSignedByNewCa(dir) : null;
        this.sslPort = tls ? freePort() : -1;
        this.saslSslPort = tls ? freePort() : -1;
    }

    /** Formats a fresh log directory, starts the broker and adds the SCRAM user. */
    public static LocalKafka start() {
        return start(false);
    }

    /**
     * Like {@link #start()}, with two more listeners over TLS: SSL and SASL_SSL (SCRAM), whose
     * certificate (for {@code localhost} and {@code 127.0.0.1}) a throwaway CA signed; {@link #caPem()}.
     */
    static LocalKafka startWithTls() {
        return start(true);
    }

    private static LocalKafka start(boolean tls) {
        try {
            LocalKafka kafka = new LocalKafka(Files.createTempDirectory("sluice-kafka-"), tls);
            kafka.writeConfig();
            kafka.run(List.of("kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(),
                    "-c", kafka.config().toString(), "--ignore-formatted"), Duration.ofMinutes(2));
            kafka.startProcess();
            kafka.addScramUser();
            return kafka;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String bootstrap() {
        return "127.0.0.1:" + port;
    }

    public String saslBootstrap() {
        return "127.0.0.1:" + saslPort;
    }

    String sslBootstrap() {
        return "127.0.0.1:" + requireTls(sslPort);
    }

    String saslSslBootstrap() {
        return "127.0.0.1:" + requireTls(saslSslPort);
    }

    /** The PEM of the CA that signed the broker's certificate. */
    String caPem() {
        requireTls(0);
        return certificates.caPem();
    }

    private int requireTls(int value) {
        if (certificates == null) {
            throw new IllegalStateException("this broker has no TLS listeners: start it with startWithTls()");
        }
        return value;
    }

    private Path config() {
        return dir.resolve("server.properties");
    }

    private void writeConfig() throws IOException {
        String jaas = "org.apache.kafka.common.security.scram.ScramLoginModule required;";
        List<String> listeners = new ArrayList<>(List.of("PLAINTEXT://127.0.0.1:" + port, "SASL_PLAINTEXT://127.0.0.1:" + saslPort));
        List<String> scramListeners = new ArrayList<>(List.of("sasl_plaintext"));
        List<String> tls = new ArrayList<>();
        if (certificates != null) {
            listeners.addAll(List.of("SSL://127.0.0.1:" + sslPort, "SASL_SSL://127.0.0.1:" + saslSslPort));
            scramListeners.add("sasl_ssl");
            tls = List.of(
                    "ssl.keystore.type=PKCS12",
                    "ssl.keystore.location=" + certificates.keystore(),
                    "ssl.keystore.password=" + TestCertificates.STORE_PASSWORD,
                    "ssl.key.password=" + TestCertificates.STORE_PASSWORD);
        }
        List<String> lines = new ArrayList<>(List.of(
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=" + String.join(",", listeners) + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=" + String.join(",", listeners),
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL,SASL_SSL:SASL_SSL,"
                        + "CONTROLLER:PLAINTEXT",
                "sasl.enabled.mechanisms=SCRAM-SHA-256,SCRAM-SHA-512"));
        for (String listener : scramListeners) {
            lines.add("listener.name." + listener + ".scram-sha-256.sasl.jaas.config=" + jaas);
            lines.add("listener.name." + listener + ".scram-sha-512.sasl.jaas.config=" + jaas);
        }
        lines.addAll(tls);
        lines.addAll(List.of(
                "log.dirs=" + dir.resolve("data"),
                "auto.create.topics.enable=false",
                "num.partitions=1",
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "log.flush.interval.messages=1000000",
                ""));
        Files.writeString(config(), String.join("\n", lines));
    }

    private void startProcess() throws IOException {
        process = javaProcess(List.of("kafka.Kafka", config().toString()), dir.resolve("broker.log"));
        awaitReady();
    }

    /** Stops the broker the way an operator does (SIGTERM, a clean shutdown). */
    public void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /**
     * Freezes the broker process (SIGSTOP) for {@code duration}, then lets it go on (SIGCONT): a broker
     * that answers late, without losing a connection. Returns at once.
     */
    public void freeze(Duration duration) {
        long pid = process.pid();
        signal("STOP", pid);
        Thread thaw = new Thread(() -> {
            sleep(duration);
            signal("CONT", pid);
        }, "local-kafka-thaw");
        thaw.setDaemon(true);
        thaw.start();
    }

    private static void signal(String name, long pid) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + name + " " + pid + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Starts the stopped broker again, with the same ports and data. */
    public void restart() {
        try {
            startProcess();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void createTopic(String topic, int partitions) {
        createTopic(topic, partitions, Map.of());
    }

    public void createTopic(String topic, int partitions, Map<String, String> configs) {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1).configs(configs)))
                    .all().get(60, TimeUnit.SECONDS);
            // Created is not yet known to every listener: wait until each partition has a leader.
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (true) {
                try {
                    var description = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic);
                    if (description.partitions().size() == partitions
                            && description.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
                        awaitLeaders(admin, topic, partitions);
                        return;
                    }
                } catch (java.util.concurrent.ExecutionException e) {
                    if (System.nanoTime() > deadline) {
                        throw e;
                    }
                }
                sleep(Duration.ofMillis(50));
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot create topic " + topic, e);
        }
    }

    /**
     * Waits until the leader of each partition serves it, not only names it in the metadata: a
     * produce request that comes earlier is answered NOT_LEADER_OR_FOLLOWER, and an idempotent
     * producer that pipelines batches can then have its later batches written before its first,
     * which the broker refuses forever after (OUT_OF_ORDER_SEQUENCE_NUMBER) until the batch expires.
     * ListOffsets goes to the leader too, and the Admin client retries it until the leader answers.
     */
    private static void awaitLeaders(Admin admin, String topic, int partitions) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        admin.listOffsets(latest).all().get(60, TimeUnit.SECONDS);
    }

    /** Every record of the topic, from the beginning of each partition to its end now. */
    public List<ConsumerRecord<byte[], byte[]>> records(String topic) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("cannot read " + topic + " to its end in 60 s");
                }
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return records;
        }
    }

    private Admin admin() {
        Properties config = new Properties();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000);
        return Admin.create(config);
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the Kafka broker exited: see " + dir.resolve("broker.log"));
            }
            try (Admin admin = admin()) {
                if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            sleep(Duration.ofMillis(200));
        }
        throw new IllegalStateException("the Kafka broker was not ready in 2 minutes: see " + dir.resolve("broker.log"), last);
    }

    private void addScramUser() {
        try (Admin admin = admin()) {
            for (ScramMechanism mechanism : List.of(ScramMechanism.SCRAM_SHA_256, ScramMechanism.SCRAM_SHA_512)) {
                admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(USER,
                        new ScramCredentialInfo(mechanism, 4096), PASSWORD))).all().get(60, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot add the SCRAM user", e);
        }
    }

    private void run(List<String> command, Duration timeout) throws IOException {
        Process p = javaProcess(command, dir.resolve("format.log"));
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException(command.get(0) + " failed: " + Files.readString(dir.resolve("format.log")));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A JVM on this test's class path, which holds the broker's artifacts (test scope). */
    private Process javaProcess(List<String> mainAndArgs, Path log) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms128m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Djava.net.preferIPv4Stack=true", "-cp", System.getProperty("java.class.path")));
        command.addAll(mainAndArgs);
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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
        stop();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // A temporary directory left behind is harmless.
        }
    }

    /** The set of topics, for tests that check one is missing. */
    public Set<String> topics() {
        try (Admin admin = admin()) {
            return admin.listTopics().names().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
