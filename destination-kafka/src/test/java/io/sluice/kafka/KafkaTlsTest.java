package io.sluice.kafka;

import static io.sluice.kafka.TestEvents.settings;
import static io.sluice.kafka.TestEvents.track;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.spi.Destination;
import io.sluice.spi.DestinationContext;
import io.sluice.spi.Outcome;
import io.sluice.spi.event.Event;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ResourceBundle;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TLS to a real KRaft broker (one per class) whose certificate a CA made for the test signed:
 * the destination trusts it through {@code caCertificate} (PEM text), over SSL and SASL_SSL with
 * SCRAM; without that CA, or with another one, it keeps the events and says what is wrong.
 */
class KafkaTlsTest {

    private static LocalKafka kafka;
    private static String otherCaPem;

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = LocalKafka.startWithTls();
        Path dir = Files.createTempDirectory("sluice-other-ca-");
        otherCaPem = TestCertificates.unrelatedCaPem(dir);
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void deliversOverTlsTrustingTheCaGivenAsPem() throws Exception {
        kafka.createTopic("tls", 2);
        List<Event> events = TestEvents.tracks("tls", 20);
        try (Destination destination = open(settings(kafka.sslBootstrap(), "tls", "ssl", true,
                "caCertificate", kafka.caPem()), new Lines())) {
            assertThat(destination.health().isHealthy()).isTrue();
            assertThat(deliver(destination, events)).hasSize(20).allMatch(Outcome.Delivered.class::isInstance);
        }
        assertThat(kafka.records("tls")).extracting(r -> TestEvents.messageId(r.value()))
                .containsExactlyInAnyOrderElementsOf(events.stream().map(Event::messageId).toList());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"scram-sha-256", "scram-sha-512"})
    void deliversOverSaslSslWithScram(String mechanism) throws Exception {
        String topic = "sasl-ssl-" + mechanism;
        kafka.createTopic(topic, 1);
        Lines log = new Lines();
        try (Destination destination = open(settings(kafka.saslSslBootstrap(), topic, "ssl", true,
                "caCertificate", kafka.caPem(), "mechanism", mechanism, "username", LocalKafka.USER,
                "password", LocalKafka.PASSWORD), log)) {
            assertThat(deliver(destination, List.of(track("s-1", "u")))).allMatch(Outcome.Delivered.class::isInstance);
            assertThat(destination.toString()).contains("ssl=true").doesNotContain(LocalKafka.PASSWORD);
        }
        assertThat(kafka.records(topic)).hasSize(1);
        assertThat(log).noneMatch(line -> line.contains(LocalKafka.PASSWORD));
    }

    @Test
    void withoutTheCaTheBrokerIsNotTrustedTheEventsAreKeptAndTheHealthSaysWhere() throws Exception {
        kafka.createTopic("untrusted", 1);
        assertRefusedAsUntrusted(settings(kafka.saslSslBootstrap(), "untrusted", "ssl", true,
                "mechanism", "scram-sha-512", "username", LocalKafka.USER, "password", LocalKafka.PASSWORD));
    }

    @Test
    void withAnotherCaTheBrokerIsNotTrustedEither() throws Exception {
        kafka.createTopic("other-ca", 1);
        assertRefusedAsUntrusted(settings(kafka.saslSslBootstrap(), "other-ca", "ssl", true, "caCertificate", otherCaPem,
                "mechanism", "scram-sha-512", "username", LocalKafka.USER, "password", LocalKafka.PASSWORD));
    }

    @Test
    void aWrongPasswordOverSaslSslIsAnAuthenticationErrorThatNeverShowsThePassword() throws Exception {
        kafka.createTopic("sasl-ssl-wrong", 1);
        String wrong = "wrong-pa55word-over-tls";
        Lines log = new Lines();
        try (Destination destination = open(settings(kafka.saslSslBootstrap(), "sasl-ssl-wrong", "ssl", true,
                "caCertificate", kafka.caPem(), "mechanism", "scram-sha-256", "username", LocalKafka.USER,
                "password", wrong), log)) {
            assertThat(deliver(destination, List.of(track("w-1", "u")))).singleElement()
                    .isInstanceOfSatisfying(Outcome.Retryable.class,
                            r -> assertThat(r.reason()).contains("Authentication").doesNotContain(wrong));
            assertThat(destination.health().isHealthy()).isFalse();
            assertThat(destination.health().message()).contains("sasl-ssl-wrong", kafka.saslSslBootstrap())
                    .doesNotContain(wrong);
            assertThat(destination.toString()).doesNotContain(wrong);
        }
        assertThat(log).isNotEmpty().noneMatch(line -> line.contains(wrong));
        assertThat(kafka.records("sasl-ssl-wrong")).isEmpty();
    }

    /**
     * The client logs its configuration when it starts; the keys that carry the password (the JAAS
     * line) and the CA are of type PASSWORD there, which the client prints as [hidden].
     */
    @Test
    void theClientsOwnConfigurationLogHidesTheKeysThatCarrySecrets() {
        Map<String, ConfigDef.ConfigKey> keys = ProducerConfig.configDef().configKeys();
        assertThat(keys.get(SaslConfigs.SASL_JAAS_CONFIG).type).isEqualTo(ConfigDef.Type.PASSWORD);
        assertThat(keys.get(SslConfigs.SSL_TRUSTSTORE_CERTIFICATES_CONFIG).type).isEqualTo(ConfigDef.Type.PASSWORD);
    }

    private static void assertRefusedAsUntrusted(Map<String, Object> raw) throws Exception {
        Lines log = new Lines();
        String topic = (String) raw.get("topic");
        try (Destination destination = open(raw, log)) {
            assertThat(destination.health().isHealthy()).as("open() could not reach the topic").isFalse();

            assertThat(deliver(destination, List.of(track("t-1", "u"), track("t-2", "u")))).hasSize(2)
                    .allSatisfy(o -> assertThat(o).isInstanceOfSatisfying(Outcome.Retryable.class,
                            r -> assertThat(r.reason()).contains("SSL handshake failed")));
            assertThat(destination.health().isHealthy()).isFalse();
            assertThat(destination.health().message())
                    .contains(topic, kafka.saslSslBootstrap(), "SSL handshake failed", "caCertificate",
                            "unable to find valid certification path")
                    .doesNotContain(LocalKafka.PASSWORD);
            assertThat(destination.toString()).doesNotContain(LocalKafka.PASSWORD);
        }
        assertThat(log).isNotEmpty().noneMatch(line -> line.contains(LocalKafka.PASSWORD));
        assertThat(kafka.records(topic)).isEmpty();
    }

    private static Destination open(Map<String, Object> raw, Lines log) {
        KafkaDestinationProvider provider = new KafkaDestinationProvider();
        DestinationContext context = new DestinationContext() {
            @Override
            public String instanceName() {
                return "tls-test";
            }

            @Override
            public System.Logger logger() {
                return log;
            }
        };
        Destination destination = provider.create(provider.settingsSchema().parse(raw), context);
        destination.open();
        return destination;
    }

    private static List<Outcome> deliver(Destination destination, List<Event> events) throws Exception {
        return destination.deliver(events).toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    /** The destination's log lines, kept to check what they say and what they never say. */
    private static final class Lines extends ConcurrentLinkedQueue<String> implements System.Logger {
        @Override
        public String getName() {
            return "tls-test";
        }

        @Override
        public boolean isLoggable(Level level) {
            return true;
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            add(msg + (thrown == null ? "" : " " + thrown));
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            add(params == null ? format : java.text.MessageFormat.format(format, params));
        }
    }
}
