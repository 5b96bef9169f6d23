package io.sluice.kinesis;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.spi.Destination;
import io.sluice.spi.Outcome;
import io.sluice.spi.event.Event;
import io.sluice.spi.event.EventType;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.services.kinesis.model.Record;

/** What a record looks like on the stream, read back from kinesalite. */
@ExtendWith(KinesaliteExtension.class)
class RecordShapeTest {

    private static final byte[] EXAMPLE = TestEvents.ISSUE_EXAMPLE.getBytes(StandardCharsets.UTF_8);

    @Test
    void theIssueExampleArrivesAsBase64TextByDefault(TestKinesis kinesis) {
        String stream = kinesis.newStream(1);
        Map<String, Object> settings = kinesis.settings(stream);   // payloadEncoding left at its default

        Record record = deliverOne(kinesis, settings, stream,
                TestEvents.track("m-1", "user_1", "anon-1", TestEvents.ISSUE_EXAMPLE));

        assertThat(record.partitionKey()).isEqualTo("user_1");
        assertThat(record.data().asByteArray())
                .isEqualTo(Base64.getEncoder().encode(EXAMPLE))
                .asString(StandardCharsets.US_ASCII).isEqualTo(
                        "eyJ1c2VySWQiOiJ1c2VyXzEiLCJldmVudCI6IlVzZXIgUmVnaXN0ZXJlZCIsInByb3BlcnRpZXMiOnsicGxhbiI6"
                                + "IlBybyBBbm51YWwiLCJhY2NvdW50X3R5cGUiOiJGYWNlYm9vayJ9fQ==");
    }

    @Test
    void theIssueExampleArrivesAsTheJsonBytesWithJsonEncoding(TestKinesis kinesis) {
        String stream = kinesis.newStream(1);
        Map<String, Object> settings = kinesis.settings(stream);
        settings.put("payloadEncoding", "json");

        Record record = deliverOne(kinesis, settings, stream,
                TestEvents.track("m-1", "user_1", "anon-1", TestEvents.ISSUE_EXAMPLE));

        assertThat(record.partitionKey()).isEqualTo("user_1");
        assertThat(record.data().asByteArray()).isEqualTo(EXAMPLE);
    }

    @Test
    void withoutAUserIdTheAnonymousIdIsTheKey(TestKinesis kinesis) {
        String stream = kinesis.newStream(1);

        Record record = deliverOne(kinesis, kinesis.settings(stream), stream,
                TestEvents.track("m-1", null, "anon-1", "{\"anonymousId\":\"anon-1\"}"));

        assertThat(record.partitionKey()).isEqualTo("anon-1");
    }

    @Test
    void useMessageIdMakesTheMessageIdTheKey(TestKinesis kinesis) {
        String stream = kinesis.newStream(1);
        Map<String, Object> settings = kinesis.settings(stream);
        settings.put("useMessageId", true);

        Record record = deliverOne(kinesis, settings, stream,
                TestEvents.track("m-1", "user_1", "anon-1", TestEvents.ISSUE_EXAMPLE));

        assertThat(record.partitionKey()).isEqualTo("m-1");
    }

    @ParameterizedTest
    @EnumSource(PayloadEncoding.class)
    void everySpecMethodIsDeliveredWhole(PayloadEncoding encoding, TestKinesis kinesis) {
        String stream = kinesis.newStream(2);
        Map<String, Object> settings = kinesis.settings(stream);
        settings.put("payloadEncoding", encoding.settingValue());
        List<Event> events = Arrays.stream(EventType.values()).map(TestEvents::specExample).toList();

        List<Outcome> outcomes;
        try (Destination destination = TestKinesis.open(settings)) {
            outcomes = destination.deliver(events).toCompletableFuture().join();
        }

        assertThat(outcomes).hasSize(6).allSatisfy(o -> assertThat(o).isInstanceOf(Outcome.Delivered.class));
        List<Record> records = kinesis.awaitRecords(stream, 6);
        assertThat(records).hasSize(6);
        // Each Spec example arrives byte for byte, keyed by its userId (all six have one).
        assertThat(records.stream().map(r -> new String(TestEvents.messageBytes(r, encoding), StandardCharsets.UTF_8)))
                .containsExactlyInAnyOrderElementsOf(events.stream().map(Event::jsonText).toList());
        assertThat(records).extracting(Record::partitionKey).containsExactlyInAnyOrderElementsOf(
                events.stream().map(e -> e.userId().orElseThrow()).toList());
        assertThat(records.stream().map(r -> TestEvents.read(TestEvents.messageBytes(r, encoding)).get("type").asText()))
                .containsExactlyInAnyOrder("track", "identify", "page", "screen", "group", "alias");
    }

    @Test
    void theReceiptNamesKeyShardAndSequenceNumber(TestKinesis kinesis) {
        String stream = kinesis.newStream(2);
        Outcome outcome;
        try (Destination destination = TestKinesis.open(kinesis.settings(stream))) {
            outcome = destination.deliver(List.of(TestEvents.track("m-1", "user_1")))
                    .toCompletableFuture().join().get(0);
        }

        Record record = kinesis.awaitRecords(stream, 1).get(0);
        assertThat(outcome).isInstanceOfSatisfying(Outcome.Delivered.class, delivered -> {
            assertThat(delivered.receipt()).containsEntry("partitionKey", "user_1")
                    .containsEntry("sequenceNumber", record.sequenceNumber())
                    .containsKey("shardId");
            assertThat(delivered.receipt().get("shardId")).startsWith("shardId-");
        });
    }

    private static Record deliverOne(TestKinesis kinesis, Map<String, Object> settings, String stream, Event event) {
        List<Outcome> outcomes;
        try (Destination destination = TestKinesis.open(settings)) {
            assertThat(destination.health().isHealthy()).as("health after open").isTrue();
            outcomes = destination.deliver(List.of(event)).toCompletableFuture().join();
        }
        assertThat(outcomes).singleElement().isInstanceOf(Outcome.Delivered.class);
        List<Record> records = kinesis.awaitRecords(stream, 1);
        assertThat(records).hasSize(1);
        return records.get(0);
    }
}
