package io.sluice.kafka;

import io.sluice.spi.settings.Secret;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Kafka client configurations built from the settings: the connection part shared by producer and consumer. */
final class KafkaClients {

    /** How long send() may wait for metadata or buffer space; it runs on the destination's own thread. */
    static final int MAX_BLOCK_MS = 10_000;

    private KafkaClients() {}

    static Map<String, Object> connection(KafkaSettings settings) {
        Map<String, Object> config = new HashMap<>();
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, String.join(",", settings.brokers()));
        config.put(CommonClientConfigs.CLIENT_ID_CONFIG, settings.clientId());
        boolean sasl = !settings.mechanism().equals("none");
        config.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG,
                (sasl ? "SASL_" : "") + (settings.ssl() ? "SSL" : "PLAINTEXT"));
        if (sasl) {
            String module = settings.mechanism().equals("plain")
                    ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                    : "org.apache.kafka.common.security.scram.ScramLoginModule";
            config.put(SaslConfigs.SASL_MECHANISM, settings.mechanism().toUpperCase(java.util.Locale.ROOT));
            config.put(SaslConfigs.SASL_JAAS_CONFIG, module + " required username=\"" + quoted(settings.username().orElseThrow())
                    + "\" password=\"" + quoted(settings.password().map(Secret::reveal).orElseThrow()) + "\";");
        }
        settings.caCertificate().ifPresent(pem -> {
            config.put(SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG, "PEM");
            config.put(SslConfigs.SSL_TRUSTSTORE_CERTIFICATES_CONFIG, pem.strip());
        });
        // Quick reconnects: a broker that comes back is used again within a second.
        config.put(CommonClientConfigs.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1_000);
        return config;
    }

    /** Idempotent, acks=all: a record acknowledged is on every in-sync replica, and a client retry never writes it twice. */
    static KafkaProducer<byte[], byte[]> producer(KafkaSettings settings) {
        Map<String, Object> config = connection(settings);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, settings.compression());
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, MAX_BLOCK_MS);
        // The client retries within this window (keeping order and idempotence); after it the engine takes over.
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** A consumer in no group: the reader assigns partitions itself and commits nothing. */
    static KafkaConsumer<byte[], byte[]> consumer(KafkaSettings settings) {
        Map<String, Object> config = connection(settings);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** A JAAS string value: backslashes and quotes escaped. */
    private static String quoted(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
