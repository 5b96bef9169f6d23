package io.sluice.kinesis;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.spi.read.Arrival;
import io.sluice.spi.read.ReadFrom;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.ExpiredIteratorException;
import software.amazon.awssdk.services.kinesis.model.GetRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.GetShardIteratorRequest;
import software.amazon.awssdk.services.kinesis.model.GetShardIteratorResponse;
import software.amazon.awssdk.services.kinesis.model.ListShardsRequest;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;

/**
 * The reader's decisions against a scripted client (kinesalite can neither expire an iterator on
 * demand nor enforce five GetRecords calls per second per shard), and its decoding of record data.
 * Reading kinesalite for real is covered by the conformance run of {@code sluice conformance}.
 */
class KinesisReaderTest {

    static final String EVENT = "{\"type\":\"track\",\"userId\":\"user_1\",\"properties\":{\"price\":19.90}}";
    static final Record RECORD = Record.builder().data(SdkBytes.fromUtf8String(EVENT))
            .partitionKey("user_1").sequenceNumber("1").approximateArrivalTimestamp(Instant.now()).build();

    /** Answers one stream; each iterator is named {@code shard@type}, so a test can tell where a read starts. */
    abstract static class ScriptedKinesis implements KinesisAsyncClient {
        final List<String> iteratorsRequested = new CopyOnWriteArrayList<>();
        final AtomicInteger listed = new AtomicInteger();

        abstract List<String> shards(int listing);

        abstract GetRecordsResponse read(String iterator);

        @Override
        public CompletableFuture<ListShardsResponse> listShards(ListShardsRequest request) {
            return CompletableFuture.completedFuture(ListShardsResponse.builder().shards(shards(listed.getAndIncrement())
                    .stream().map(id -> Shard.builder().shardId(id).build()).toList()).build());
        }

        @Override
        public CompletableFuture<GetShardIteratorResponse> getShardIterator(GetShardIteratorRequest request) {
            String iterator = request.shardId() + "@" + request.shardIteratorTypeAsString();
            iteratorsRequested.add(iterator);
            return CompletableFuture.completedFuture(GetShardIteratorResponse.builder().shardIterator(iterator).build());
        }

        @Override
        public CompletableFuture<GetRecordsResponse> getRecords(Consumer<GetRecordsRequest.Builder> request) {
            GetRecordsRequest.Builder builder = GetRecordsRequest.builder();
            request.accept(builder);
            try {
                return CompletableFuture.completedFuture(read(builder.build().shardIterator()));
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }

        @Override
        public String serviceName() {
            return SERVICE_NAME;
        }

        @Override
        public void close() {}
    }

    static GetRecordsResponse page(String next, Record... records) {
        return GetRecordsResponse.builder().nextShardIterator(next).records(records).build();
    }

    @Test
    void aChildShardWhoseIteratorExpiresBeforeItsFirstRecordIsReadAgainFromItsStart() throws Exception {
        ScriptedKinesis kinesis = new ScriptedKinesis() {
            @Override
            List<String> shards(int listing) {
                return listing == 0 ? List.of("parent") : List.of("parent", "child");
            }

            @Override
            GetRecordsResponse read(String iterator) {
                if (iterator.equals("child@TRIM_HORIZON")
                        && iteratorsRequested.indexOf(iterator) == iteratorsRequested.lastIndexOf(iterator)) {
                    throw ExpiredIteratorException.builder().message("Iterator expired").build();
                }
                return iterator.startsWith("child") ? page("child-next", RECORD) : page(iterator);
            }
        };
        KinesisReader reader = new KinesisReader(kinesis, kinesis, "events", ReadFrom.LATEST, Duration.ofMillis(50));

        List<Arrival> arrivals = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (arrivals.isEmpty() && System.nanoTime() < deadline) {
            arrivals.addAll(reader.poll(Duration.ofMillis(300)));
        }

        assertThat(kinesis.iteratorsRequested).startsWith("parent@LATEST", "child@TRIM_HORIZON", "child@TRIM_HORIZON");
        assertThat(arrivals).first().satisfies(a -> assertThat(a.attributes()).containsEntry("shardId", "child"));
    }

    @Test
    void aShardThatAlwaysHasRecordsIsReadAtMostFiveTimesASecond() throws Exception {
        AtomicInteger reads = new AtomicInteger();
        ScriptedKinesis kinesis = new ScriptedKinesis() {
            @Override
            List<String> shards(int listing) {
                return List.of("busy");
            }

            @Override
            GetRecordsResponse read(String iterator) {
                reads.incrementAndGet();
                return page(iterator, RECORD);
            }
        };
        KinesisReader reader = new KinesisReader(kinesis, kinesis, "events", ReadFrom.EARLIEST, Duration.ofSeconds(10));

        long end = System.nanoTime() + Duration.ofSeconds(1).toNanos();
        while (System.nanoTime() < end) {
            reader.poll(Duration.ZERO);
        }

        assertThat(reads.get()).isBetween(3, 6);
    }

    @Test
    void base64TextOfJsonIsDecoded() {
        Arrival arrival = arrival(Base64.getEncoder().encode(EVENT.getBytes(StandardCharsets.UTF_8)));

        assertThat(new String(arrival.event(), StandardCharsets.UTF_8)).isEqualTo(EVENT);
        assertThat(arrival.attributes()).containsExactly(
                java.util.Map.entry("shardId", "shardId-000000000001"), java.util.Map.entry("partitionKey", "user_1"),
                java.util.Map.entry("sequenceNumber", "4960"),
                java.util.Map.entry("approximateArrivalTimestamp", "2026-01-02T03:04:05Z"),
                java.util.Map.entry("encoding", "base64"));
    }

    @Test
    void rawJsonIsReadAsItIs() {
        Arrival arrival = arrival(EVENT.getBytes(StandardCharsets.UTF_8));

        assertThat(arrival.attributes()).containsEntry("encoding", "json");
        assertThat(new String(arrival.event(), StandardCharsets.UTF_8)).isEqualTo(EVENT);
    }

    @Test
    void anythingElseIsKeptAsItCame() {
        byte[] data = {0, 1, 2, (byte) 0xff};
        Arrival arrival = arrival(data);

        assertThat(arrival.attributes()).containsEntry("encoding", "raw");
        assertThat(arrival.event()).isEqualTo(data);
    }

    private static Arrival arrival(byte[] data) {
        return KinesisReader.arrival("shardId-000000000001", Record.builder().data(SdkBytes.fromByteArray(data))
                .partitionKey("user_1").sequenceNumber("4960")
                .approximateArrivalTimestamp(Instant.parse("2026-01-02T03:04:05Z")).build());
    }
}
