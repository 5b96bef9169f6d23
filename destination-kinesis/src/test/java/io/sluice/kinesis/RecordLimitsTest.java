package io.sluice.kinesis;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.spi.BatchLimits;
import io.sluice.spi.Destination;
import io.sluice.spi.Outcome;
import io.sluice.spi.event.Event;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.kinesis.model.Record;

@ExtendWith(KinesaliteExtension.class)
class RecordLimitsTest {

    @Test
    void limitsAreThoseOfPutRecords(TestKinesis kinesis) {
        try (Destination destination = TestKinesis.open(kinesis.settings("unused"))) {
            assertThat(destination.limits()).isEqualTo(new BatchLimits(500, 5 * 1024 * 1024));
        }
    }

    @Test
    void aRecordMaxRecordBytesAllowsFitsTheBatchLimits(TestKinesis kinesis) {
        Map<String, Object> settings = kinesis.settings("unused");
        settings.put("payloadEncoding", "json");
        settings.put("maxRecordBytes", 8 * 1024 * 1024);
        Event big = TestEvents.trackOfSize("big", "u1", 8 * 1024 * 1024 - 2);   // + "u1": exactly the limit
        try (Destination destination = TestKinesis.open(settings)) {
            assertThat(destination.limits()).isEqualTo(new BatchLimits(500, 8 * 1024 * 1024));
            assertThat(destination.sizeOf(big)).isEqualTo(destination.limits().maxBytes());
        }
        settings.put("maxRecordBytes", 4 * 1024 * 1024);
        try (Destination destination = TestKinesis.open(settings)) {
            assertThat(destination.limits()).as("under 5 MiB, PutRecords' own limit")
                    .isEqualTo(new BatchLimits(500, 5 * 1024 * 1024));
        }
    }

    @Test
    void sizeIsTheEncodedDataPlusTheKeysUtf8Bytes(TestKinesis kinesis) {
        Event event = TestEvents.track("m-1", "us\u00e9r", null, "x".repeat(10));   // key: 5 UTF-8 bytes
        Map<String, Object> settings = kinesis.settings("unused");
        try (Destination base64 = TestKinesis.open(settings)) {
            assertThat(base64.sizeOf(event)).isEqualTo(16 + 5);                     // 4 * ceil(10 / 3) = 16
        }
        settings.put("payloadEncoding", "json");
        try (Destination json = TestKinesis.open(settings)) {
            assertThat(json.sizeOf(event)).isEqualTo(10 + 5);
        }
    }

    @Test
    void theKeyCountsAsManyBytesAsItsUtf8Encoding(TestKinesis kinesis) {
        Map<String, Object> settings = kinesis.settings("unused");
        settings.put("payloadEncoding", "json");
        // ASCII, 2 and 3 bytes, a surrogate pair (4 bytes), and lone surrogates (encoded as '?').
        List<String> keys = List.of("u1", "\u00e9", "\u20ac", "\ud83d\ude00", "a\ud800", "\udc00b", "\ud800\ud800");
        try (Destination json = TestKinesis.open(settings)) {
            for (String key : keys) {
                Event event = TestEvents.track("m-1", key, null, "{}");
                assertThat(json.sizeOf(event)).as("size with key %s", key.chars().mapToObj(Integer::toHexString).toList())
                        .isEqualTo(2 + key.getBytes(StandardCharsets.UTF_8).length);
            }
        }
    }

    @Test
    void anOversizeRecordIsRejectedAndTheRestOfItsBatchDelivered(TestKinesis kinesis) {
        String stream = kinesis.newStream(1);
        Map<String, Object> settings = kinesis.settings(stream);
        settings.put("payloadEncoding", "json");
        settings.put("maxRecordBytes", 1000);
        Event small1 = TestEvents.trackOfSize("small-1", "u1", 200);
        Event exact = TestEvents.trackOfSize("exact", "u1", 1000 - 2);          // 998 + "u1" = 1000: fits
        Event oversize = TestEvents.trackOfSize("oversize", "u1", 1000 - 1);    // 999 + 2 = 1001
        Event small2 = TestEvents.trackOfSize("small-2", "u1", 300);

        List<Outcome> outcomes;
        try (Destination destination = TestKinesis.open(settings)) {
            outcomes = destination.deliver(List.of(small1, exact, oversize, small2)).toCompletableFuture().join();
        }

        assertThat(outcomes.get(0)).isInstanceOf(Outcome.Delivered.class);
        assertThat(outcomes.get(1)).isInstanceOf(Outcome.Delivered.class);
        assertThat(outcomes.get(2)).isEqualTo(
                Outcome.rejected("record is 1001 bytes after json encoding; maxRecordBytes is 1000"));
        assertThat(outcomes.get(3)).isInstanceOf(Outcome.Delivered.class);
        assertThat(kinesis.awaitRecords(stream, 3)).hasSize(3)
                .extracting(r -> TestEvents.messageId(r, PayloadEncoding.JSON))
                .containsExactly("small-1", "exact", "small-2");
    }

    @Test
    void theDefaultLimitIsOneMebibyteOfEncodedData(TestKinesis kinesis) {
        String stream = kinesis.newStream(1);
        // 800,000 JSON bytes are 1,066,668 in Base64: over 1 MiB only once encoded.
        Event big = TestEvents.trackOfSize("big", "u1", 800_000);
        Event fine = TestEvents.trackOfSize("fine", "u1", 700_000);

        List<Outcome> outcomes;
        try (Destination destination = TestKinesis.open(kinesis.settings(stream))) {
            outcomes = destination.deliver(List.of(big, fine)).toCompletableFuture().join();
        }

        assertThat(outcomes.get(0)).isEqualTo(
                Outcome.rejected("record is 1066670 bytes after base64 encoding; maxRecordBytes is 1048576"));
        assertThat(outcomes.get(1)).isInstanceOf(Outcome.Delivered.class);
        assertThat(kinesis.awaitRecords(stream, 1)).singleElement()
                .satisfies(r -> assertThat(TestEvents.messageId(r, PayloadEncoding.BASE64)).isEqualTo("fine"));
    }

    @Test
    void aBatchOfOnlyOversizeRecordsSendsNothing(TestKinesis kinesis) {
        String stream = kinesis.newStream(1);
        Map<String, Object> settings = kinesis.settings(stream);
        settings.put("maxRecordBytes", 10);

        List<Outcome> outcomes;
        try (Destination destination = TestKinesis.open(settings)) {
            outcomes = destination.deliver(List.of(TestEvents.track("m-1", "u1"), TestEvents.track("m-2", "u1")))
                    .toCompletableFuture().join();
        }

        assertThat(outcomes).hasSize(2).allSatisfy(o -> assertThat(o).isInstanceOf(Outcome.Rejected.class));
        assertThat(kinesis.server().records(stream)).isEmpty();
    }

    @Test
    void aPartitionKeyOver256CharactersIsHashedAndDelivered(TestKinesis kinesis) {
        String stream = kinesis.newStream(1);
        String longUserId = "a".repeat(300);

        List<Outcome> outcomes;
        try (Destination destination = TestKinesis.open(kinesis.settings(stream))) {
            outcomes = destination.deliver(List.of(TestEvents.track("m-1", longUserId))).toCompletableFuture().join();
        }

        // hashlib.sha256(("a" * 300).encode()).hexdigest()
        String hashed = "9835fa6bf4e20a9b9ea812506302e98982721a6cf8d2cae67af57129bf21ae90";
        assertThat(outcomes).singleElement().isInstanceOfSatisfying(Outcome.Delivered.class,
                d -> assertThat(d.receipt()).containsEntry("partitionKey", hashed));
        Record record = kinesis.awaitRecords(stream, 1).get(0);
        assertThat(record.partitionKey()).isEqualTo(hashed);
        assertThat(TestEvents.read(TestEvents.messageBytes(record, PayloadEncoding.BASE64)).get("userId").asText())
                .isEqualTo(longUserId);
    }
}
