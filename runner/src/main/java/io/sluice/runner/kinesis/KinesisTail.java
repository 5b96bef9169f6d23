package io.sluice.runner.kinesis;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.sluice.core.spec.SpecJson;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.ExpiredIteratorException;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.GetShardIteratorRequest;
import software.amazon.awssdk.services.kinesis.model.ListShardsRequest;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.awssdk.services.kinesis.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/**
 * Follows every shard of a stream and prints one JSON line per record, the way Segment's docs
 * suggest debugging a Kinesis destination. The shard list is read again every
 * {@link #SHARD_REFRESH}, so shards created by resharding are followed from their start; closed
 * shards are dropped once read to their end.
 */
public final class KinesisTail {

    private static final Logger LOG = LoggerFactory.getLogger(KinesisTail.class);

    /** Kinesis allows five GetRecords calls per second per shard; idle polling stays well under. */
    static final Duration IDLE_POLL = Duration.ofMillis(500);
    /** Each round reads every shard once; this shortest round keeps a busy shard at those five calls. */
    static final Duration BUSY_POLL = Duration.ofMillis(200);
    static final Duration SHARD_REFRESH = Duration.ofSeconds(10);
    static final Duration THROTTLE_PAUSE = Duration.ofSeconds(1);

    /** Where to start reading the shards that exist when the tail starts. */
    public enum From {
        TRIM_HORIZON(ShardIteratorType.TRIM_HORIZON), LATEST(ShardIteratorType.LATEST);

        final ShardIteratorType type;

        From(ShardIteratorType type) {
            this.type = type;
        }
    }

    /**
     * @param stream  a stream name, or its ARN
     * @param from    where to start on the shards that exist at the start
     * @param max     stop after this many records; 0 for no limit
     * @param timeout stop after this long
     */
    public record Options(String stream, From from, long max, Optional<Duration> timeout) {}

    private final KinesisClient client;
    private final Options options;
    private final Consumer<String> out;
    private final Duration shardRefresh;
    /** Requests name the stream by ARN or by name; the other stays null, which the SDK leaves out. */
    private final String streamArn;
    private final String streamName;
    private final Map<String, String> iterators = new LinkedHashMap<>();
    /** Where each shard was first read from: an expired iterator before any record starts there again. */
    private final Map<String, ShardIteratorType> startedAt = new HashMap<>();
    private final Map<String, String> lastSequence = new LinkedHashMap<>();
    private final Set<String> finished = new HashSet<>();
    private long printed;

    public KinesisTail(KinesisClient client, Options options, Consumer<String> out) {
        this(client, options, out, SHARD_REFRESH);
    }

    KinesisTail(KinesisClient client, Options options, Consumer<String> out, Duration shardRefresh) {
        this.client = client;
        this.options = options;
        this.out = out;
        this.shardRefresh = shardRefresh;
        this.streamArn = options.stream().startsWith("arn:") ? options.stream() : null;
        this.streamName = streamArn == null ? options.stream() : null;
    }

    /** Tails until {@code max} records, the timeout, or an interrupt; returns the records printed. */
    public long run() throws InterruptedException {
        long deadline = options.timeout().map(t -> System.nanoTime() + t.toNanos()).orElse(Long.MAX_VALUE);
        refreshShards(true);
        long nextRefresh = System.nanoTime() + shardRefresh.toNanos();
        while (!done() && System.nanoTime() < deadline) {
            long roundStart = System.nanoTime();
            if (roundStart >= nextRefresh) {
                refreshShards(false);
                nextRefresh = System.nanoTime() + shardRefresh.toNanos();
            }
            boolean any = false;
            for (String shard : new ArrayList<>(iterators.keySet())) {
                any |= poll(shard);
                if (done()) {
                    return printed;
                }
            }
            long pause = any ? BUSY_POLL.toNanos() - (System.nanoTime() - roundStart) : IDLE_POLL.toNanos();
            // In nanoseconds, as sleep rounds up: a pause cut short by the deadline ends past it.
            TimeUnit.NANOSECONDS.sleep(Math.min(pause, deadline - System.nanoTime()));
        }
        return printed;
    }

    private boolean done() {
        return options.max() > 0 && printed >= options.max();
    }

    /** Reads one page of a shard; true when it held records. */
    private boolean poll(String shard) throws InterruptedException {
        GetRecordsResponse page;
        try {
            int limit = options.max() > 0 ? (int) Math.min(10_000, options.max() - printed) : 10_000;
            page = client.getRecords(r -> r.shardIterator(iterators.get(shard)).limit(limit));
        } catch (ExpiredIteratorException e) {
            iterators.put(shard, resume(shard));
            return false;
        } catch (ProvisionedThroughputExceededException e) {
            Thread.sleep(THROTTLE_PAUSE.toMillis());
            return false;
        }
        for (Record record : page.records()) {
            print(shard, record);
            lastSequence.put(shard, record.sequenceNumber());
            if (done()) {
                return true;
            }
        }
        if (page.nextShardIterator() == null) {
            iterators.remove(shard);
            finished.add(shard); // closed by resharding and read to its end
        } else {
            iterators.put(shard, page.nextShardIterator());
        }
        return !page.records().isEmpty();
    }

    private void print(String shard, Record record) {
        SdkBytes data = record.data();
        try {
            out.accept(SpecJson.MAPPER.writeValueAsString(TailRecord.of(shard, record.partitionKey(),
                    record.sequenceNumber(), record.approximateArrivalTimestamp(),
                    data == null ? new byte[0] : data.asByteArray())));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        printed++;
    }

    private void refreshShards(boolean initial) {
        List<Shard> shards = new ArrayList<>();
        String next = null;
        do {
            ListShardsRequest request = next == null
                    ? ListShardsRequest.builder().streamARN(streamArn).streamName(streamName).build()
                    : ListShardsRequest.builder().nextToken(next).build();
            ListShardsResponse page = client.listShards(request);
            shards.addAll(page.shards());
            next = page.nextToken();
        } while (next != null);
        for (Shard shard : shards) {
            String id = shard.shardId();
            if (iterators.containsKey(id) || finished.contains(id)) {
                continue;
            }
            // Shards found later are children of a reshard: read them from their start.
            ShardIteratorType type = initial ? options.from().type : ShardIteratorType.TRIM_HORIZON;
            startedAt.put(id, type);
            iterators.put(id, iterator(id, type, null));
            if (!initial) {
                LOG.info("following new shard {}", id);
            }
        }
    }

    private String resume(String shard) {
        String after = lastSequence.get(shard);
        return after == null ? iterator(shard, startedAt.get(shard), null)
                : iterator(shard, ShardIteratorType.AFTER_SEQUENCE_NUMBER, after);
    }

    private String iterator(String shard, ShardIteratorType type, String afterSequence) {
        return client.getShardIterator(GetShardIteratorRequest.builder()
                .streamARN(streamArn)
                .streamName(streamName)
                .shardId(shard)
                .shardIteratorType(type)
                .startingSequenceNumber(afterSequence)
                .build()).shardIterator();
    }
}
