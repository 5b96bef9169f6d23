package io.sluice.runner.kinesis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;
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
 * The tail's reading decisions against a scripted client: kinesalite can neither expire an
 * iterator on demand nor enforce the five GetRecords calls per second per shard.
 */
class KinesisTailTest {

    static final Record RECORD = Record.builder().data(SdkBytes.fromUtf8String(TailRecordTest.EVENT))
            .partitionKey("user_1").sequenceNumber("1").approximateArrivalTimestamp(Instant.now()).build();

    /** Answers one stream; each iterator is named {@code shard@type}, so a test can tell where a read starts. */
    abstract static class ScriptedKinesis implements KinesisClient {
        final List<String> iteratorsRequested = new CopyOnWriteArrayList<>();
        final AtomicInteger listed = new AtomicInteger();

        abstract List<String> shards(int listing);

        abstract GetRecordsResponse read(String iterator);

        @Override
        public ListShardsResponse listShards(ListShardsRequest request) {
            return ListShardsResponse.builder().shards(shards(listed.getAndIncrement()).stream()
                    .map(id -> Shard.builder().shardId(id).build()).toList()).build();
        }

        @Override
        public GetShardIteratorResponse getShardIterator(GetShardIteratorRequest request) {
            String iterator = request.shardId() + "@" + request.shardIteratorTypeAsString();
            iteratorsRequested.add(iterator);
            return GetShardIteratorResponse.builder().shardIterator(iterator).build();
        }

        @Override
        public GetRecordsResponse getRecords(GetRecordsRequest request) {
            return read(request.shardIterator());
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
                return switch (iterator) {
                    case "child@TRIM_HORIZON" -> iteratorsRequested.indexOf(iterator) == iteratorsRequested.lastIndexOf(iterator)
                            ? throwExpired() : page("child-next", RECORD);
                    default -> page(iterator); // LATEST: the record already in the child is behind it
                };
            }
        };
        List<String> printed = new CopyOnWriteArrayList<>();
        KinesisTail tail = new KinesisTail(kinesis, new KinesisTail.Options("events", KinesisTail.From.LATEST, 1,
                Optional.of(Duration.ofSeconds(5))), printed::add, Duration.ofMillis(50));

        assertThat(tail.run()).isEqualTo(1);

        assertThat(kinesis.iteratorsRequested).containsExactly("parent@LATEST", "child@TRIM_HORIZON", "child@TRIM_HORIZON");
        assertThat(printed).singleElement().asString().contains("\"shardId\":\"child\"");
    }

    private static GetRecordsResponse throwExpired() {
        throw ExpiredIteratorException.builder().message("Iterator expired").build();
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
        KinesisTail tail = new KinesisTail(kinesis, new KinesisTail.Options("events", KinesisTail.From.TRIM_HORIZON, 0,
                Optional.of(Duration.ofSeconds(1))), line -> {});

        tail.run();

        assertThat(reads.get()).isBetween(3, 6);
    }
}
