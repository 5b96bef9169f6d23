package io.sluice.kinesis;

import io.sluice.spi.read.Arrival;
import io.sluice.spi.read.ArrivalReader;
import io.sluice.spi.read.ReadFrom;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
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
 * Reads every shard of a stream back: what {@code sluice tail} follows and {@code sluice conformance}
 * checks. The shard list is read again every {@link #SHARD_REFRESH}, so shards created by
 * resharding are followed from their start; closed shards are dropped once read to their end.
 * Each record's data is decoded per record: Base64 text of JSON (Segment's format) or JSON bytes.
 */
final class KinesisReader implements ArrivalReader {

    private static final System.Logger LOG = System.getLogger(KinesisReader.class.getName());

    /** Kinesis allows five GetRecords calls per second per shard: a round reads each shard once, at most this often. */
    static final Duration ROUND = Duration.ofMillis(200);
    static final Duration SHARD_REFRESH = Duration.ofSeconds(10);

    private final KinesisAsyncClient client;
    private final AutoCloseable owner;
    private final ShardIteratorType start;
    private final Duration shardRefresh;
    /** Requests name the stream by ARN or by name; the other stays null, which the SDK leaves out. */
    private final String streamArn;
    private final String streamName;
    private final Map<String, String> iterators = new LinkedHashMap<>();
    /** Where each shard was first read from: an expired iterator before any record starts there again. */
    private final Map<String, ShardIteratorType> startedAt = new HashMap<>();
    private final Map<String, String> lastSequence = new HashMap<>();
    private final Set<String> finished = new HashSet<>();
    private long nextRefresh;
    private long lastRound;
    private boolean listed;

    KinesisReader(KinesisAsyncClient client, AutoCloseable owner, String stream, ReadFrom from, Duration shardRefresh) {
        this.client = client;
        this.owner = owner;
        this.start = from == ReadFrom.EARLIEST ? ShardIteratorType.TRIM_HORIZON : ShardIteratorType.LATEST;
        this.shardRefresh = shardRefresh;
        this.streamArn = stream.startsWith("arn:") ? stream : null;
        this.streamName = streamArn == null ? stream : null;
    }

    static KinesisReader open(KinesisSettings settings, ReadFrom from) {
        KinesisClients clients = KinesisClients.create(settings);
        return new KinesisReader(clients.kinesis(), clients, settings.stream(), from, SHARD_REFRESH);
    }

    @Override
    public synchronized List<Arrival> poll(Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        if (!listed) {
            refreshShards(true);
            listed = true;
            nextRefresh = System.nanoTime() + shardRefresh.toNanos();
        }
        while (true) {
            long sinceLast = System.nanoTime() - lastRound;
            if (sinceLast < ROUND.toNanos()) {
                TimeUnit.NANOSECONDS.sleep(ROUND.toNanos() - sinceLast);
            }
            lastRound = System.nanoTime();
            if (lastRound >= nextRefresh) {
                refreshShards(false);
                nextRefresh = System.nanoTime() + shardRefresh.toNanos();
            }
            List<Arrival> arrivals = new ArrayList<>();
            for (String shard : new ArrayList<>(iterators.keySet())) {
                read(shard, arrivals);
            }
            if (!arrivals.isEmpty() || System.nanoTime() + ROUND.toNanos() > deadline) {
                return arrivals;
            }
        }
    }

    /** Reads one page of a shard into {@code out}. */
    private void read(String shard, List<Arrival> out) {
        GetRecordsResponse page;
        try {
            page = client.getRecords(r -> r.shardIterator(iterators.get(shard)).limit(10_000)).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof ExpiredIteratorException) {
                iterators.put(shard, resume(shard));
                return;
            }
            if (e.getCause() instanceof ProvisionedThroughputExceededException) {
                return; // read again next round
            }
            throw e;
        }
        for (Record record : page.records()) {
            out.add(arrival(shard, record));
            lastSequence.put(shard, record.sequenceNumber());
        }
        if (page.nextShardIterator() == null) {
            iterators.remove(shard);
            finished.add(shard); // closed by resharding and read to its end
        } else {
            iterators.put(shard, page.nextShardIterator());
        }
    }

    static Arrival arrival(String shard, Record record) {
        byte[] data = record.data() == null ? new byte[0] : record.data().asByteArray();
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("shardId", shard);
        attributes.put("partitionKey", record.partitionKey());
        attributes.put("sequenceNumber", record.sequenceNumber());
        attributes.put("approximateArrivalTimestamp",
                record.approximateArrivalTimestamp() == null ? null : record.approximateArrivalTimestamp().toString());
        if (looksLikeJson(data)) {
            attributes.put("encoding", "json");
            return new Arrival(data, attributes);
        }
        try {
            byte[] decoded = Base64.getMimeDecoder().decode(new String(data, StandardCharsets.US_ASCII).trim());
            if (looksLikeJson(decoded)) {
                attributes.put("encoding", "base64");
                return new Arrival(decoded, attributes);
            }
        } catch (IllegalArgumentException notBase64) {
            // kept as it came
        }
        attributes.put("encoding", "raw");
        return new Arrival(data, attributes);
    }

    /** Starts with an object or array: the JSON of an event (a bare Base64 string never does). */
    private static boolean looksLikeJson(byte[] data) {
        for (byte b : data) {
            if (b == ' ' || b == '\n' || b == '\r' || b == '\t') {
                continue;
            }
            return b == '{' || b == '[';
        }
        return false;
    }

    private void refreshShards(boolean initial) {
        List<Shard> shards = new ArrayList<>();
        String next = null;
        do {
            ListShardsRequest request = next == null
                    ? ListShardsRequest.builder().streamARN(streamArn).streamName(streamName).build()
                    : ListShardsRequest.builder().nextToken(next).build();
            ListShardsResponse page = client.listShards(request).join();
            shards.addAll(page.shards());
            next = page.nextToken();
        } while (next != null);
        for (Shard shard : shards) {
            String id = shard.shardId();
            if (iterators.containsKey(id) || finished.contains(id)) {
                continue;
            }
            // Shards found later are children of a reshard: read them from their start.
            ShardIteratorType type = initial ? start : ShardIteratorType.TRIM_HORIZON;
            startedAt.put(id, type);
            iterators.put(id, iterator(id, type, null));
            if (!initial) {
                LOG.log(System.Logger.Level.INFO, "following new shard {0}", id);
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
                .build()).join().shardIterator();
    }

    @Override
    public void close() {
        try {
            owner.close();
        } catch (Exception e) {
            LOG.log(System.Logger.Level.DEBUG, "closing the reader's client failed: {0}", e.toString());
        }
    }
}
