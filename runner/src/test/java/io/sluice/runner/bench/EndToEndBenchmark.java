package io.sluice.runner.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.core.bench.BenchPayloads;
import io.sluice.kinesis.local.Kinesalite;
import io.sluice.runner.config.ConfigLoader;
import io.sluice.runner.config.SluiceConfig;
import io.sluice.runner.plugins.PluginRegistry;
import io.sluice.runner.routing.Route;
import io.sluice.runner.server.SluiceServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;

/**
 * End to end: the same events go into the same kinesalite two ways, timed the same way, from the
 * first request until Kinesis has acknowledged (so made readable) every record:
 * <ol>
 *   <li>the baseline: a hand-written producer, 4 threads each sending its share as {@code PutRecords}
 *       of 500 records (the calls' JSON, Base64, partitioned by user);</li>
 *   <li>Sluice: 4 client threads, each on a keep-alive connection ({@link RawPoster}), posting the
 *       same calls as {@code /v1/batch} requests of 100 to
 *       {@code sluice serve} in this process (spool with {@code fsync: always}, the default),
 *       which validates, spools and delivers them through the Kinesis destination.</li>
 * </ol>
 * Each contender of a round gets a fresh kinesalite (it keeps every record in memory, and slows as
 * it fills) with a 4-shard stream; the order alternates between rounds, and the median of the
 * rounds' ratios counts. Both share the machine's 2 cores with
 * kinesalite, so every cycle Sluice spends per event shows.
 * Run: {@code bench/run e2e} or this class's {@code main [events] [rounds] [warm-up rounds]}.
 */
public final class EndToEndBenchmark {

    static final String KEY = "e2e-write-key";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int THREADS = 4;
    private static final int PER_REQUEST = 100;

    /** The medians over the rounds; the ratio is the median of each round's own ratio. */
    record Result(double baselineEventsPerSecond, double sluiceEventsPerSecond, double ratio) {}

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        // Warm-up: rounds of the same size, shown but not counted. With 2 cores the JIT needs a few
        // hundred thousand requests to settle; a smaller warm-up left C2 taking half a core during
        // the first measured rounds, from the cores kinesalite and Sluice share.
        int warmUps = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        System.out.println("warm-up rounds:");
        run(events, warmUps, true);
        System.out.println("measured rounds:");
        Result result = run(events, rounds, true);
        System.out.printf("RESULT e2e events=%d rounds=%d putrecords-4-threads=%.0f ev/s sluice-http-to-kinesis=%.0f ev/s "
                        + "ratio=%.2f (medians)%n", events, rounds, result.baselineEventsPerSecond(), result.sluiceEventsPerSecond(), result.ratio());
    }

    static Result run(int events, int rounds, boolean print) throws Exception {
        List<byte[]> bodies = bodies(events / PER_REQUEST);
        List<PutRecordsRequestEntry> records = records(bodies);
        List<Double> baselines = new ArrayList<>();
        List<Double> sluices = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            // Each contender gets a fresh kinesalite: it keeps every record in memory and slows as it
            // fills, so the one that ran second would pay for the first. The order alternates too.
            boolean producerFirst = round % 2 == 1;
            double b = 0;
            double s = 0;
            for (int turn = 0; turn < 2; turn++) {
                boolean producerTurn = (turn == 0) == producerFirst;
                System.gc(); // neither pays for the other's garbage
                try (Kinesalite kinesis = Kinesalite.start(); KinesisAsyncClient client = kinesis.newClient()) {
                    if (producerTurn) {
                        b = producer(client, stream(kinesis, "producer", round), records);
                    } else {
                        s = sluice(kinesis, stream(kinesis, "sluice", round), bodies);
                    }
                }
            }
            baselines.add(b);
            sluices.add(s);
            ratios.add(s / b);
            if (print) {
                System.out.printf("round %d (%s first): producer %.0f ev/s, sluice %.0f ev/s, ratio %.2f%n", round,
                        producerFirst ? "producer" : "sluice", b, s, s / b);
                System.out.flush();
            }
        }
        return new Result(Median.of(baselines), Median.of(sluices), Median.of(ratios));
    }

    private static String stream(Kinesalite kinesis, String name, int round) {
        String stream = "e2e-" + name + "-" + round + "-" + System.nanoTime();
        kinesis.createStream(stream, 4);
        return stream;
    }

    /**
     * The benchmark's batches (the Segment Spec's examples with an analytics.js context, 1 to 4 KB),
     * without the examples' {@code integrations} objects, so that every call goes to Kinesis.
     */
    static List<byte[]> bodies(int count) throws IOException {
        List<byte[]> bodies = new ArrayList<>(count);
        for (byte[] body : BenchPayloads.batches(count, PER_REQUEST, 17)) {
            JsonNode batch = JSON.readTree(body);
            batch.get("batch").forEach(call -> ((com.fasterxml.jackson.databind.node.ObjectNode) call).remove("integrations"));
            bodies.add(JSON.writeValueAsBytes(batch));
        }
        return bodies;
    }

    /** Each call of each batch as the record a hand-written producer would send. */
    static List<PutRecordsRequestEntry> records(List<byte[]> bodies) throws IOException {
        List<PutRecordsRequestEntry> records = new ArrayList<>();
        for (byte[] body : bodies) {
            for (JsonNode call : JSON.readTree(body).get("batch")) {
                byte[] json = JSON.writeValueAsBytes(call);
                records.add(PutRecordsRequestEntry.builder()
                        .partitionKey(call.path("userId").asText(call.path("anonymousId").asText()))
                        .data(SdkBytes.fromByteArrayUnsafe(Base64.getEncoder().encode(json)))
                        .build());
            }
        }
        return records;
    }

    /** The baseline: 4 threads, each a loop of PutRecords(500) over its share, failed records sent again. */
    static double producer(KinesisAsyncClient client, String stream, List<PutRecordsRequestEntry> records) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(THREADS);
        long start = System.nanoTime();
        try {
            List<CompletableFuture<Void>> done = new ArrayList<>();
            int share = (records.size() + THREADS - 1) / THREADS;
            for (int t = 0; t < THREADS; t++) {
                List<PutRecordsRequestEntry> mine = records.subList(Math.min(records.size(), t * share),
                        Math.min(records.size(), (t + 1) * share));
                done.add(CompletableFuture.runAsync(() -> {
                    for (int from = 0; from < mine.size(); from += 500) {
                        List<PutRecordsRequestEntry> batch = mine.subList(from, Math.min(mine.size(), from + 500));
                        while (!batch.isEmpty()) {
                            List<PutRecordsRequestEntry> send = batch;
                            PutRecordsResponse response = client.putRecords(r -> r.streamName(stream).records(send)).join();
                            List<PutRecordsRequestEntry> again = new ArrayList<>();
                            for (int i = 0; i < response.records().size(); i++) {
                                if (response.records().get(i).errorCode() != null) {
                                    again.add(send.get(i));
                                }
                            }
                            batch = again;
                        }
                    }
                }, threads));
            }
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
        } finally {
            threads.shutdownNow();
        }
        return records.size() / ((System.nanoTime() - start) / 1e9);
    }

    /** Sluice: 4 client threads post the batches; the clock stops when Kinesis acknowledged every event. */
    static double sluice(Kinesalite kinesis, String stream, List<byte[]> bodies) throws Exception {
        Path dir = Files.createTempDirectory("sluice-e2e");
        String yaml = """
                server: {host: 127.0.0.1, port: 0, shutdownTimeoutMs: 2000}
                deadLetter: {path: '%s'}
                spool: {path: '%s'}
                sources:
                  - name: web
                    writeKey: %s
                    destinations:
                      - type: kinesis
                        settings: {region: us-east-1, stream: %s, endpoint: "%s", accessKeyId: local, secretAccessKey: local}
                """.formatted(dir.resolve("dead.ndjson"), dir.resolve("spool.db"), KEY, stream, kinesis.endpoint());
        SluiceConfig config = new ConfigLoader(PluginRegistry.builtIn()).read(yaml, "benchmark");
        long total = (long) bodies.size() * PER_REQUEST;
        try (SluiceServer server = SluiceServer.start(config, PluginRegistry.builtIn(), Clock.systemUTC())) {
            Route route = server.pipeline().routes().get(0);
            String auth = "Basic " + Base64.getEncoder().encodeToString((KEY + ":").getBytes(StandardCharsets.UTF_8));
            int port = URI.create(server.baseUrl()).getPort();
            AtomicInteger next = new AtomicInteger();
            ExecutorService threads = Executors.newFixedThreadPool(THREADS);
            long start = System.nanoTime();
            try {
                List<CompletableFuture<Void>> done = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    done.add(CompletableFuture.runAsync(() -> {
                        try (RawPoster poster = new RawPoster(port, "/v1/batch", auth)) {
                            for (int i; (i = next.getAndIncrement()) < bodies.size(); ) {
                                post(poster, bodies.get(i));
                            }
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }, threads));
                }
                CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
                System.out.printf("  sluice: all accepted after %.1f s, %d delivered by then%n",
                        (System.nanoTime() - start) / 1e9, route.tally().delivered());
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
                while (route.tally().delivered() < total) {
                    if (!route.tally().failures().isEmpty() || System.nanoTime() > deadline) {
                        throw new IllegalStateException("delivered " + route.tally().delivered() + " of " + total
                                + "; failures: " + route.tally().failures());
                    }
                    Thread.sleep(5); // a finer poll costs CPU the contenders share
                }
            } finally {
                threads.shutdownNow();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("  sluice: all delivered after %.1f s, %d retried on the way%n", seconds, route.tally().retried());
            return total / seconds;
        }
    }

    private static void post(RawPoster poster, byte[] body) throws IOException {
        while (poster.post(body) != 200) {
            try {
                Thread.sleep(100); // 429/503/507: as a Segment library, send again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private EndToEndBenchmark() {}
}
