package io.sluice.kinesis.bench;

import io.sluice.core.delivery.DeliveryEngine;
import io.sluice.core.delivery.DeliveryListener;
import io.sluice.core.delivery.DeliveryPolicy;
import io.sluice.kinesis.KinesisDestinationProvider;
import io.sluice.kinesis.local.Kinesalite;
import io.sluice.spi.Destination;
import io.sluice.spi.DestinationProvider;
import io.sluice.spi.Outcome;
import io.sluice.spi.event.Event;
import io.sluice.spi.event.EventType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;

/**
 * Kinesis delivery into kinesalite, in events per second, three ways in one process against the same
 * server and the same events:
 * <ol>
 *   <li>the limit: a plain loop of SDK {@code PutRecords} calls of 500 records, as a hand-written
 *       producer would send them (same Base64 payloads, same partition keys);</li>
 *   <li>Sluice: the {@link DeliveryEngine} driving the Kinesis destination with its default policy;</li>
 *   <li>Segment's classic call: one {@code PutRecord} per event.</li>
 * </ol>
 * Rounds alternate between the first two, so drift in the server (it keeps every record in memory)
 * falls on both. Run: {@code bench/run kinesis} or this class's {@code main [events] [rounds]}.
 */
public final class KinesisDeliveryBenchmark {

    private static final int PUT_RECORDS_MAX = 500;
    private static final int SHARDS = 4;

    public record Result(double plainLoopEventsPerSecond, double sluiceEventsPerSecond, double putRecordEventsPerSecond) {
        double ratioToPlainLoop() {
            return sluiceEventsPerSecond / plainLoopEventsPerSecond;
        }

        double factorOverPutRecord() {
            return sluiceEventsPerSecond / putRecordEventsPerSecond;
        }
    }

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        try (Kinesalite kinesis = Kinesalite.start()) {
            run(kinesis, 2_000, 1, 200, false); // warm-up: JIT, connections, the server
            Result result = run(kinesis, events, rounds, Math.max(200, events / 20), true);
            System.out.printf("RESULT kinesis plain-putrecords-loop=%.0f ev/s sluice=%.0f ev/s putrecord-per-event=%.0f ev/s "
                            + "sluice/plain=%.2f sluice/putrecord=%.1fx%n",
                    result.plainLoopEventsPerSecond(), result.sluiceEventsPerSecond(), result.putRecordEventsPerSecond(),
                    result.ratioToPlainLoop(), result.factorOverPutRecord());
        }
    }

    /** The best round of each contender; {@code putRecordEvents} events go through the per-event call. */
    public static Result run(Kinesalite kinesis, int events, int rounds, int putRecordEvents, boolean print) throws Exception {
        List<Event> batch = events(events, 42);
        double plain = 0;
        double sluice = 0;
        try (KinesisAsyncClient client = kinesis.newClient()) {
            for (int round = 1; round <= rounds; round++) {
                double p = plainLoop(client, stream(kinesis, "plain", round), batch);
                double s = sluice(kinesis, stream(kinesis, "sluice", round), batch);
                if (print) {
                    System.out.printf("round %d: plain loop %.0f ev/s, sluice %.0f ev/s%n", round, p, s);
                }
                plain = Math.max(plain, p);
                sluice = Math.max(sluice, s);
            }
            double single = putRecordEach(client, stream(kinesis, "single", 0), batch.subList(0, Math.min(putRecordEvents, events)));
            return new Result(plain, sluice, single);
        }
    }

    private static String stream(Kinesalite kinesis, String name, int round) {
        String stream = "bench-" + name + "-" + round + "-" + System.nanoTime();
        kinesis.createStream(stream, SHARDS);
        return stream;
    }

    static double plainLoop(KinesisAsyncClient client, String stream, List<Event> events) {
        long start = System.nanoTime();
        for (int from = 0; from < events.size(); from += PUT_RECORDS_MAX) {
            List<PutRecordsRequestEntry> entries = new ArrayList<>(PUT_RECORDS_MAX);
            for (Event event : events.subList(from, Math.min(events.size(), from + PUT_RECORDS_MAX))) {
                entries.add(PutRecordsRequestEntry.builder()
                        .partitionKey(event.userId().orElseThrow())
                        .data(SdkBytes.fromByteArrayUnsafe(base64(event)))
                        .build());
            }
            int failed = client.putRecords(r -> r.streamName(stream).records(entries)).join().failedRecordCount();
            if (failed != 0) {
                throw new IllegalStateException(failed + " records failed in the plain loop");
            }
        }
        return rate(events.size(), start);
    }

    static double sluice(Kinesalite kinesis, String stream, List<Event> events) throws Exception {
        DestinationProvider provider = new KinesisDestinationProvider();
        Destination destination = provider.create(provider.settingsSchema().parse(Map.of(
                "stream", stream, "region", Kinesalite.REGION, "endpoint", kinesis.endpoint().toString(),
                "accessKeyId", "local", "secretAccessKey", "local-benchmark")));
        destination.open();
        AtomicLong delivered = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        DeliveryEngine engine = new DeliveryEngine("bench", destination, DeliveryPolicy.defaults()
                .withMaxBufferedBytes(Long.MAX_VALUE), new DeliveryListener() {
                    @Override
                    public void delivered(Event event, Outcome.Delivered outcome, Duration latency) {
                        delivered.incrementAndGet();
                    }

                    @Override
                    public void failed(Event event, String reason) {
                        failed.incrementAndGet();
                    }
                });
        long start = System.nanoTime();
        events.forEach(engine::offer);
        engine.flush().get(10, TimeUnit.MINUTES);
        double rate = rate(events.size(), start);
        engine.close(Duration.ofSeconds(10));
        if (delivered.get() != events.size() || failed.get() != 0) {
            throw new IllegalStateException("sluice delivered " + delivered + " and failed " + failed + " of " + events.size());
        }
        return rate;
    }

    static double putRecordEach(KinesisAsyncClient client, String stream, List<Event> events) {
        long start = System.nanoTime();
        for (Event event : events) {
            client.putRecord(r -> r.streamName(stream).partitionKey(event.userId().orElseThrow())
                    .data(SdkBytes.fromByteArrayUnsafe(base64(event)))).join();
        }
        return rate(events.size(), start);
    }

    private static byte[] base64(Event event) {
        byte[] json = new byte[event.jsonLength()];
        event.json().get(json);
        return Base64.getEncoder().encode(json);
    }

    private static double rate(int events, long startNanos) {
        return events / ((System.nanoTime() - startNanos) / 1e9);
    }

    /** Track calls of about 1.5 KB, the size of an analytics.js track call with its context. */
    static List<Event> events(int count, long seed) {
        Random random = new Random(seed);
        String context = "\"context\":{\"library\":{\"name\":\"analytics.js\",\"version\":\"next-1.70.0\"},"
                + "\"page\":{\"path\":\"/academy/\",\"referrer\":\"https://www.google.com/\",\"title\":\"Analytics Academy\","
                + "\"url\":\"https://segment.com/academy/\"},\"userAgent\":\"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) "
                + "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36\",\"locale\":\"en-US\","
                + "\"timezone\":\"Europe/Amsterdam\",\"ip\":\"203.0.113.7\"}";
        List<Event> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String id = "bench-" + seed + "-" + i;
            String user = "user-" + random.nextInt(10_000);
            StringBuilder props = new StringBuilder();
            for (int p = 0; p < 24; p++) {
                props.append(p == 0 ? "" : ",").append("\"prop_").append(p).append("\":\"value ")
                        .append(random.nextInt(1_000_000)).append(" of the property\"");
            }
            String json = "{\"type\":\"track\",\"messageId\":\"" + id + "\",\"userId\":\"" + user
                    + "\",\"event\":\"Course Clicked\",\"properties\":{" + props + "}," + context
                    + ",\"timestamp\":\"2024-05-01T12:00:00.000Z\",\"receivedAt\":\"2024-05-01T12:00:00.100Z\"}";
            events.add(Event.builder(EventType.TRACK, id, json.getBytes(StandardCharsets.UTF_8))
                    .userId(user).eventName("Course Clicked")
                    .timestamp(Instant.parse("2024-05-01T12:00:00Z")).receivedAt(Instant.parse("2024-05-01T12:00:00.100Z"))
                    .build());
        }
        return events;
    }
}
