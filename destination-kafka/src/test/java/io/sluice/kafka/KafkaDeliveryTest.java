package io.sluice.kafka;

import static io.sluice.kafka.TestEvents.open;
import static io.sluice.kafka.TestEvents.settings;
import static io.sluice.kafka.TestEvents.track;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.spi.Destination;
import io.sluice.spi.Outcome;
import io.sluice.spi.event.Event;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Records, errors and SASL/SCRAM against one real KRaft broker on 127.0.0.1. */
class KafkaDeliveryTest {

    private static LocalKafka kafka;

    @BeforeAll
    static void startBroker() {
        kafka = LocalKafka.start();
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    private static List<Outcome> deliver(Destination destination, List<Event> events) throws Exception {
        return destination.deliver(events).toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    @Test
    void eachEventIsOneRecordOfItsJsonKeyedByUserIdThenAnonymousIdWithTheHeaders() throws Exception {
        kafka.createTopic("shape", 3);
        Event byUser = track("m-1", "user-1", "anon-1", 0);
        Event byAnonymous = track("m-2", null, "anon-2", 0);
        try (Destination destination = open(settings(kafka.bootstrap(), "shape", "headers", Map.of("source", "sluice")))) {
            List<Outcome> outcomes = deliver(destination, List.of(byUser, byAnonymous));

            assertThat(outcomes).allSatisfy(o -> assertThat(o).isInstanceOfSatisfying(Outcome.Delivered.class,
                    d -> assertThat(d.receipt()).containsKeys("partition", "offset")));
        }
        List<ConsumerRecord<byte[], byte[]>> records = kafka.records("shape");
        assertThat(records).hasSize(2);
        for (ConsumerRecord<byte[], byte[]> record : records) {
            Event event = TestEvents.messageId(record.value()).equals("m-1") ? byUser : byAnonymous;
            assertThat(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo(event.jsonText());
            assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo(event == byUser ? "user-1" : "anon-2");
            assertThat(new String(record.headers().lastHeader("source").value(), StandardCharsets.UTF_8)).isEqualTo("sluice");
        }
    }

    @Test
    void theMessageIdOptionKeysByMessageId() throws Exception {
        kafka.createTopic("by-message", 1);
        try (Destination destination = open(settings(kafka.bootstrap(), "by-message", "partitionKey", "messageId",
                "compression", "zstd"))) {
            assertThat(deliver(destination, List.of(track("m-9", "user-9")))).allMatch(Outcome.Delivered.class::isInstance);
        }
        assertThat(kafka.records("by-message")).singleElement()
                .satisfies(r -> assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("m-9"));
    }

    @Test
    void aRecordTooLargeForTheTopicIsRejectedByTheBrokerAndTheOthersAreDelivered() throws Exception {
        kafka.createTopic("small-records", 1, Map.of("max.message.bytes", "4096"));
        try (Destination destination = open(settings(kafka.bootstrap(), "small-records"))) {
            List<Outcome> outcomes = deliver(destination, List.of(track("ok-1", "u"), track("big", "u", null, 20_000),
                    track("ok-2", "u")));

            assertThat(outcomes.get(0)).isInstanceOf(Outcome.Delivered.class);
            assertThat(outcomes.get(1)).isInstanceOfSatisfying(Outcome.Rejected.class,
                    r -> assertThat(r.reason()).contains("RecordTooLargeException"));
            assertThat(outcomes.get(2)).isInstanceOf(Outcome.Delivered.class);
            assertThat(destination.health().isHealthy()).isTrue();
        }
    }

    @Test
    void anUnknownTopicKeepsTheEventsAndSaysWhichTopicOnWhichBrokers() throws Exception {
        try (Destination destination = open(settings(kafka.bootstrap(), "not-created-yet"))) {
            assertThat(destination.health().isHealthy()).as("open() found the topic missing").isFalse();
            assertThat(destination.health().message()).contains("not-created-yet", kafka.bootstrap());

            assertThat(deliver(destination, List.of(track("u-1", "u")))).singleElement()
                    .isInstanceOf(Outcome.Retryable.class);

            kafka.createTopic("not-created-yet", 1);
            assertThat(deliver(destination, List.of(track("u-1", "u")))).singleElement()
                    .isInstanceOf(Outcome.Delivered.class);
            assertThat(destination.health().isHealthy()).isTrue();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"scram-sha-256", "scram-sha-512"})
    void scramWithTheRightPasswordDelivers(String mechanism) throws Exception {
        String topic = "scram-" + mechanism;
        kafka.createTopic(topic, 1);
        try (Destination destination = open(settings(kafka.saslBootstrap(), topic, "mechanism", mechanism,
                "username", LocalKafka.USER, "password", LocalKafka.PASSWORD))) {
            assertThat(deliver(destination, List.of(track("s-1", "u")))).allMatch(Outcome.Delivered.class::isInstance);
        }
        assertThat(kafka.records(topic)).hasSize(1);
    }

    @Test
    void aWrongScramPasswordKeepsTheEventsAndTheHealthNamesTopicAndBrokersButNeverThePassword() throws Exception {
        kafka.createTopic("scram-wrong", 1);
        String wrong = "this-is-the-wrong-pa55word";
        try (Destination destination = open(settings(kafka.saslBootstrap(), "scram-wrong", "mechanism", "scram-sha-256",
                "username", LocalKafka.USER, "password", wrong))) {
            Outcome outcome = deliver(destination, List.of(track("w-1", "u"))).get(0);

            assertThat(outcome).isInstanceOfSatisfying(Outcome.Retryable.class,
                    r -> assertThat(r.reason()).contains("Authentication").doesNotContain(wrong));
            assertThat(destination.health().isHealthy()).isFalse();
            assertThat(destination.health().message()).contains("scram-wrong", kafka.saslBootstrap(), "Authentication")
                    .doesNotContain(wrong);
            assertThat(destination.toString()).doesNotContain(wrong);
        }
        assertThat(kafka.records("scram-wrong")).isEmpty();
    }
}
