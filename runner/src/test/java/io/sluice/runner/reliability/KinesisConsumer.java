package io.sluice.runner.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/**
 * Reads every shard of a stream continuously from its start, and counts each {@code messageId} it
 * finds in the records' data (Base64 text of the JSON, Segment's format, or raw JSON). Several
 * copies of an id are duplicates. {@link #pointAt} moves it to a restarted server, whose stream is
 * read from its start again; what was read from the old one is kept.
 */
final class KinesisConsumer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String stream;
    private final Map<String, Integer> counts = new ConcurrentHashMap<>();
    private final AtomicLong records = new AtomicLong();
    private final AtomicLong readErrors = new AtomicLong();
    private final Thread thread;
    private KinesisAsyncClient client;
    private Map<String, String> iterators = new LinkedHashMap<>();
    private volatile boolean running = true;

    KinesisConsumer(URI endpoint, String stream) {
        this.stream = stream;
        this.client = client(endpoint);
        this.thread = new Thread(this::loop, "kinesis-consumer-" + stream);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Copies of each messageId read so far. */
    Map<String, Integer> counts() {
        return Map.copyOf(counts);
    }

    long records() {
        return records.get();
    }

    long readErrors() {
        return readErrors.get();
    }

    /** What was read back of the accepted events: copies of each id, and whether every one arrived in time. */
    record ReadBack(Set<String> accepted, Map<String, Integer> counts, boolean caughtUp) {

        /** Accepted (answered 200) but never read back. */
        Set<String> lost() {
            Set<String> lost = new HashSet<>(accepted);
            lost.removeAll(counts.keySet());
            return lost;
        }
    }

    /** Waits up to {@code timeout} for every accepted id to be read, then reads what is left; call it once the load stopped. */
    ReadBack readBack(Set<String> accepted, Duration timeout) throws InterruptedException {
        boolean caughtUp = Waits.until(timeout, () -> counts.keySet().containsAll(accepted));
        catchUp();
        return new ReadBack(Set.copyOf(accepted), counts(), caughtUp);
    }

    /** Reads until every shard is caught up; call it when nothing writes to the stream any more. */
    synchronized void catchUp() {
        for (int pass = 0; pass < 100; pass++) {
            if (pollOnce() == 0 && pollOnce() == 0) {
                return;
            }
        }
    }

    /** From now on reads the stream on this (restarted) server, from its start. */
    synchronized void pointAt(URI endpoint) {
        client.close();
        client = client(endpoint);
        iterators = new LinkedHashMap<>();
    }

    private void loop() {
        while (running) {
            int read;
            synchronized (this) {
                read = running ? pollOnce() : 0;
            }
            if (read == 0) {
                sleep(100);
            }
        }
    }

    /** One GetRecords per shard; the number of records read, or 0 after an error. */
    private int pollOnce() {
        try {
            if (iterators.isEmpty()) {
                Map<String, String> listed = new LinkedHashMap<>();
                for (Shard shard : client.listShards(r -> r.streamName(stream)).join().shards()) {
                    listed.put(shard.shardId(), client.getShardIterator(r -> r.streamName(stream)
                            .shardId(shard.shardId()).shardIteratorType(ShardIteratorType.TRIM_HORIZON))
                            .join().shardIterator());
                }
                iterators = listed;
            }
            int read = 0;
            for (Map.Entry<String, String> shard : iterators.entrySet()) {
                if (shard.getValue() == null) {
                    continue;
                }
                String iterator = shard.getValue();
                GetRecordsResponse page = client.getRecords(r -> r.shardIterator(iterator).limit(10_000)).join();
                for (Record record : page.records()) {
                    count(record.data().asByteArray());
                }
                read += page.records().size();
                shard.setValue(page.nextShardIterator());
            }
            return read;
        } catch (RuntimeException e) {
            // The server is down, or restarted without the stream yet: try again later.
            readErrors.incrementAndGet();
            if (String.valueOf(e.getMessage()).contains("ResourceNotFound") || String.valueOf(e.getMessage()).contains("Expired")) {
                iterators = new LinkedHashMap<>();
            }
            return 0;
        }
    }

    private void count(byte[] data) {
        records.incrementAndGet();
        JsonNode event;
        try {
            event = JSON.readTree(data.length > 0 && data[0] == '{' ? data : Base64.getDecoder().decode(data));
        } catch (Exception e) {
            counts.merge("(unreadable record)", 1, Integer::sum);
            return;
        }
        JsonNode id = event.get("messageId");
        counts.merge(id == null ? "(no messageId)" : id.asText(), 1, Integer::sum);
    }

    private static KinesisAsyncClient client(URI endpoint) {
        System.setProperty("aws.cborEnabled", "false");
        return KinesisAsyncClient.builder()
                .region(Region.US_EAST_1)
                .endpointOverride(endpoint)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClientBuilder(NettyNioAsyncHttpClient.builder().protocol(Protocol.HTTP1_1)
                        .connectionTimeout(Duration.ofSeconds(2)))
                .overrideConfiguration(o -> o.apiCallTimeout(Duration.ofSeconds(20)))
                .build();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(30_000);
        synchronized (this) {
            client.close();
        }
    }
}
