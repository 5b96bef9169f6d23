package io.sluice.kafka;

import io.sluice.spi.settings.CrossCheck;
import io.sluice.spi.settings.Secret;
import io.sluice.spi.settings.Setting;
import io.sluice.spi.settings.SettingError;
import io.sluice.spi.settings.Settings;
import io.sluice.spi.settings.SettingsSchema;
import io.sluice.spi.settings.Validators;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Kafka destination's settings: {@link #SCHEMA} declares them once, {@link #from} reads
 * validated {@link Settings} into typed values. {@link #toString()} shows no password.
 */
record KafkaSettings(List<String> brokers, String topic, String clientId, boolean partitionByMessageId,
                     Map<String, String> headers, String mechanism, Optional<String> username,
                     Optional<Secret> password, boolean ssl, Optional<String> caCertificate, String compression) {

    static final String BROKERS = "brokers";
    static final String TOPIC = "topic";
    static final String CLIENT_ID = "clientId";
    static final String PARTITION_KEY = "partitionKey";
    static final String HEADERS = "headers";
    static final String MECHANISM = "mechanism";
    static final String USERNAME = "username";
    static final String PASSWORD = "password";
    static final String SSL = "ssl";
    static final String CA_CERTIFICATE = "caCertificate";
    static final String COMPRESSION = "compression";

    /** Bootstrap brokers are a starting point, not the cluster: more than this is a mistake. */
    static final int MAX_BROKERS = 50;
    private static final String HOST_PORT = "[A-Za-z0-9.-]+:[0-9]{1,5}|\\[[0-9A-Fa-f:.]+\\]:[0-9]{1,5}";

    static final SettingsSchema SCHEMA = SettingsSchema.builder()
            .add(Setting.list(BROKERS).required().size(1, MAX_BROKERS).label("Brokers").group("Cluster").order(1)
                    .each(Validators.matches("host_port", HOST_PORT, "host:port, e.g. kafka-1:9092"))
                    .description("The bootstrap brokers, each host:port, e.g. kafka-1:9092. A few are enough: the "
                            + "producer learns the rest of the cluster from them."))
            .add(Setting.string(TOPIC).required().label("Topic").group("Cluster").order(2)
                    .validator(Validators.matches("topic_name", "[a-zA-Z0-9._-]{1,249}",
                            "a topic name: 1 to 249 letters, digits, '.', '_' or '-'"))
                    .description("The topic every event is written to. It must exist: Sluice does not create it."))
            .add(Setting.string(CLIENT_ID).defaultValue("sluice").label("Client ID").group("Cluster").order(3)
                    .validator(Validators.matches("client_id", "[a-zA-Z0-9._-]{1,249}",
                            "1 to 249 letters, digits, '.', '_' or '-'"))
                    .description("The producer's client.id, as brokers log it and quotas see it."))
            .add(Setting.enumeration(PARTITION_KEY, "userId", "messageId").defaultValue("userId")
                    .label("Partition key").group("Records").order(4)
                    .valueLabels(Map.of("userId", "userId, else anonymousId", "messageId", "messageId"))
                    .description("The record key: userId, falling back to anonymousId (one user's events share a "
                            + "partition, in order), or messageId (spreads a busy user over every partition)."))
            .add(Setting.map(HEADERS).optional().label("Record headers").group("Records").order(5)
                    .description("Headers added to every record, name to text value."))
            .add(Setting.enumeration(MECHANISM, "none", "plain", "scram-sha-256", "scram-sha-512").defaultValue("none")
                    .label("SASL mechanism").group("Authentication").order(6)
                    .valueLabels(Map.of("none", "None", "plain", "PLAIN", "scram-sha-256", "SCRAM-SHA-256",
                            "scram-sha-512", "SCRAM-SHA-512"))
                    .description("How the producer authenticates: none, or SASL PLAIN or SCRAM with username and password."))
            .add(Setting.string(USERNAME).optional().label("Username").group("Authentication").order(7)
                    .description("The SASL user. Required with a mechanism other than none."))
            .add(Setting.secret(PASSWORD).optional().label("Password").group("Authentication").order(8)
                    .description("The SASL user's password. Never shown or logged."))
            .add(Setting.bool(SSL).defaultValue(false).label("TLS").group("Encryption").order(9)
                    .description("Connect to the brokers over TLS (SSL or SASL_SSL)."))
            .add(Setting.string(CA_CERTIFICATE).optional().label("CA certificate (PEM)").group("Encryption").order(10)
                    .validator(Validators.matches("pem_certificate",
                            "(?s)\\s*-----BEGIN CERTIFICATE-----.+-----END CERTIFICATE-----\\s*",
                            "PEM text, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----"))
                    .description("The certificate authority that signed the brokers' certificates, as PEM text, "
                            + "when it is not one the JVM trusts. Only with TLS."))
            .add(Setting.enumeration(COMPRESSION, "none", "gzip", "snappy", "lz4", "zstd").defaultValue("none")
                    .label("Compression").group("Records").order(11)
                    .description("How the producer compresses record batches."))
            .crossCheck(credentialsWithMechanism())
            .crossCheck(caCertificateNeedsSsl())
            .build();

    static KafkaSettings from(Settings s) {
        return new KafkaSettings(
                s.list(BROKERS),
                s.string(TOPIC),
                s.string(CLIENT_ID),
                s.string(PARTITION_KEY).equals("messageId"),
                s.has(HEADERS) ? s.map(HEADERS) : Map.of(),
                s.string(MECHANISM),
                s.optionalString(USERNAME),
                s.secret(PASSWORD),
                s.bool(SSL),
                s.optionalString(CA_CERTIFICATE),
                s.string(COMPRESSION));
    }

    /** Where events go, as messages name it: never with credentials. */
    String target() {
        return "Kafka topic " + topic + " on " + String.join(",", brokers);
    }

    private static CrossCheck credentialsWithMechanism() {
        return s -> {
            if (!s.has(MECHANISM) || s.string(MECHANISM).equals("none")) {
                return Optional.empty();
            }
            for (String needed : List.of(USERNAME, PASSWORD)) {
                if (!s.has(needed)) {
                    return Optional.of(new SettingError(needed, "required_with", needed + ": is required when "
                            + MECHANISM + " is " + s.string(MECHANISM)));
                }
            }
            return Optional.empty();
        };
    }

    private static CrossCheck caCertificateNeedsSsl() {
        return s -> s.has(CA_CERTIFICATE) && !s.bool(SSL)
                ? Optional.of(new SettingError(CA_CERTIFICATE, "requires", CA_CERTIFICATE
                        + ": is used only over TLS; set " + SSL + " to true"))
                : Optional.empty();
    }

    @Override
    public String toString() {
        return "KafkaSettings{" + target() + ", clientId=" + clientId + ", partitionKey="
                + (partitionByMessageId ? "messageId" : "userId") + ", headers=" + headers.keySet() + ", mechanism="
                + mechanism + ", username=" + username.orElse("-") + ", password=" + (password.isPresent() ? Secret.MASK : "-")
                + ", ssl=" + ssl + ", compression=" + compression + "}";
    }
}
