package io.sluice.kafka.bench;

import io.sluice.core.delivery.DeliveryEngine;
import io.sluice.core.delivery.DeliveryListener;
import io.sluice.core.delivery.DeliveryPolicy;
import io.sluice.kafka.KafkaDestinationProvider;
import io.sluice.kafka.LocalKafka;
import io.sluice.spi.Destination;
import io.sluice.spi.DestinationProvider;
import io.sluice.spi.Outcome;
import io.sluice.spi.event.Event;
import io.sluice.spi.event.EventType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Kafka delivery into a real local KRaft broker, in events per second, two ways in one process
 * against the same broker and the same events:
 * <ol>
 *   <li>the limit: a hand-written loop of {@code KafkaProducer.send} with callbacks, then one flush,
 *       configured as the destination configures its producer (idempotent, acks=all, linger 5 ms,
 *       batch 256 KiB), same keys and values;</li>
 *   <li>Sluice: the {@link DeliveryEngine} (default policy) driving the Kafka destination.</li>
 * </ol>
 * Both clocks run from the first send to the last acknowledgement. After a full-size warm-up of
 * each, every round runs the two back to back, each into a fresh topic of 4 partitions, the one
 * going first alternating (an even number of rounds: as often first as second), the heap collected
 * before each. On a shared machine the load moves between rounds, so the figure is the
 * median of the rounds' own ratios (a pair shares its round's load); every round is printed, with
 * the load average. Run: this class's {@code main [events] [rounds]}.
 */
public final class KafkaDeliveryBenchmark {

    private static final int PARTITIONS = 4;

    /** One round: both contenders, back to back. */
    public record Round(double producerLoopEventsPerSecond, double sluiceEventsPerSecond) {
        double ratio() {
            return sluiceEventsPerSecond / producerLoopEventsPerSecond;
        }
    }

    public record Result(List<Round> rounds) {
        /** The median of the rounds' ratios: the figure BENCHMARKS.md reports. */
        public double ratio() {
            return median(rounds.stream().mapToDouble(Round::ratio).toArray());
        }

        public double producerLoopEventsPerSecond() {
            return median(rounds.stream().mapToDouble(Round::producerLoopEventsPerSecond).toArray());
        }

        public double sluiceEventsPerSecond() {
            return median(rounds.stream().mapToDouble(Round::sluiceEventsPerSecond).toArray());
        }
    }

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 6;
        try (LocalKafka kafka = LocalKafka.start()) {
            run(kafka, events, 1, false); // warm-up at full size: JIT, connections, the broker's log segments
            String loadBefore = loadAverage();
            Result result = run(kafka, events, rounds, true);
            System.out.printf("RESULT kafka producer-loop=%.0f ev/s sluice=%.0f ev/s sluice/producer-loop=%.2f "
                            + "(median of %d rounds of %,d events: %s; load average %s, then %s)%n",
                    result.producerLoopEventsPerSecond(), result.sluiceEventsPerSecond(), result.ratio(), rounds, events,
                    result.rounds().stream().map(r -> String.format("%.2f", r.ratio())).toList(), loadBefore, loadAverage());
        }
    }

    public static Result run(LocalKafka kafka, int count, int rounds, boolean print) throws Exception {
        List<Event> events = events(count, 42);
        List<Round> results = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            boolean loopFirst = round % 2 == 1;
            int number = round;
            double l = 0;
            if (loopFirst) {
                l = measured(() -> producerLoop(kafka, topic(kafka, "loop", number), events));
            }
            double s = measured(() -> sluice(kafka, topic(kafka, "sluice", number), events));
            if (!loopFirst) {
                l = measured(() -> producerLoop(kafka, topic(kafka, "loop", number), events));
            }
            Round r = new Round(l, s);
            results.add(r);
            if (print) {
                System.out.printf("round %d (%s first): producer loop %.0f ev/s, sluice %.0f ev/s, ratio %.2f, load %s%n",
                        round, loopFirst ? "loop" : "sluice", l, s, r.ratio(), loadAverage());
            }
        }
        return new Result(results);
    }

    /** One contender's run, on a heap cleared of the other one's garbage. */
    private static double measured(java.util.concurrent.Callable<Double> contender) throws Exception {
        System.gc();
        return contender.call();
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /** The 1-minute load average, as uptime shows it (other people share this machine). */
    static String loadAverage() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ")[0];
        } catch (java.io.IOException | RuntimeException e) {
            return "unknown";
        }
    }

    private static String topic(LocalKafka kafka, String name, int round) {
        String topic = "bench-" + name + "-" + round + "-" + System.nanoTime();
        kafka.createTopic(topic, PARTITIONS);
        return topic;
    }

    static double producerLoop(LocalKafka kafka, String topic, List<Event> events) throws Exception {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrap(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.partitionsFor(topic); // connected and knows the topic, as the destination's open() does
            CountDownLatch acked = new CountDownLatch(events.size());
            AtomicLong failed = new AtomicLong();
            java.util.concurrent.atomic.AtomicReference<Exception> firstFailure = new java.util.concurrent.atomic.AtomicReference<>();
            long start = System.nanoTime();
            for (Event event : events) {
                byte[] value = new byte[event.jsonLength()];
                event.json().get(value);
                producer.send(new ProducerRecord<>(topic, event.userId().orElseThrow().getBytes(StandardCharsets.UTF_8), value),
                        (metadata, e) -> {
                            if (e != null) {
                                failed.incrementAndGet();
                                firstFailure.compareAndSet(null, e);
                            }
                            acked.countDown();
                        });
            }
            producer.flush();
            if (!acked.await(5, TimeUnit.MINUTES) || failed.get() != 0) {
                throw new IllegalStateException("the producer loop failed " + failed + " of " + events.size(), firstFailure.get());
            }
            return rate(events.size(), start);
        }
    }

    static double sluice(LocalKafka kafka, String topic, List<Event> events) throws Exception {
        DestinationProvider provider = new KafkaDestinationProvider();
        Destination destination = provider.create(provider.settingsSchema().parse(Map.of(
                "brokers", kafka.bootstrap(), "topic", topic)));
        destination.open();
        AtomicLong delivered = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong retried = new AtomicLong();
        DeliveryEngine engine = new DeliveryEngine("bench", destination, DeliveryPolicy.defaults()
                .withMaxBufferedBytes(Long.MAX_VALUE), new DeliveryListener() {
                    @Override
                    public void delivered(Event event, Outcome.Delivered outcome, Duration latency) {
                        delivered.incrementAndGet();
                    }

                    @Override
                    public void retrying(Event event, String reason, int attempt) {
                        if (retried.getAndIncrement() == 0) {
                            System.out.println("sluice: a first retry: " + reason);
                        }
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
