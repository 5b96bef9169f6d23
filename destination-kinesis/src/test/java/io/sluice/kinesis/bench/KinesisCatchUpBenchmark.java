package io.sluice.kinesis.bench;

import io.sluice.core.delivery.DeliveryEngine;
import io.sluice.core.delivery.DeliveryListener;
import io.sluice.core.delivery.DeliveryPolicy;
import io.sluice.core.spool.Spool;
import io.sluice.core.spool.SpoolPolicy;
import io.sluice.core.spool.SpoolReader;
import io.sluice.kinesis.KinesisDestinationProvider;
import io.sluice.kinesis.local.Kinesalite;
import io.sluice.spi.Destination;
import io.sluice.spi.DestinationProvider;
import io.sluice.spi.event.Event;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/**
 * Catch-up from a backlog on disk: a spool holding {@code events} events for one destination
 * (what an outage leaves), delivered by the {@link DeliveryEngine} fed by its reader, against the
 * plain {@code PutRecords(500)} loop sending the same events into the same kinesalite. Each round
 * starts a fresh kinesalite (it slows as it fills) and runs both, the first one alternating; the
 * best round of each counts. The spool is filled before the clock starts, and the clock stops when
 * the destination's backlog is empty.
 * Run: {@code bench/run catchup} or this class's {@code main [events] [rounds]}.
 */
public final class KinesisCatchUpBenchmark {

    public record Result(double plainLoopEventsPerSecond, double catchUpEventsPerSecond) {
        double ratio() {
            return catchUpEventsPerSecond / plainLoopEventsPerSecond;
        }
    }

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        run(5_000, 1, false); // warm-up
        Result result = run(events, rounds, true);
        System.out.printf("RESULT catchup events=%d plain-putrecords-loop=%.0f ev/s sluice-from-disk=%.0f ev/s ratio=%.2f%n",
                events, result.plainLoopEventsPerSecond(), result.catchUpEventsPerSecond(), result.ratio());
    }

    public static Result run(int events, int rounds, boolean print) throws Exception {
        List<Event> all = KinesisDeliveryBenchmark.events(events, 7);
        double plain = 0;
        double catchUp = 0;
        for (int round = 1; round <= rounds; round++) {
            try (Kinesalite kinesis = Kinesalite.start(); KinesisAsyncClient client = kinesis.newClient()) {
                double p;
                double s;
                if (round % 2 == 1) {
                    p = KinesisDeliveryBenchmark.plainLoop(client, stream(kinesis, "plain", round), all);
                    s = fromDisk(kinesis, stream(kinesis, "catchup", round), all);
                } else {
                    s = fromDisk(kinesis, stream(kinesis, "catchup", round), all);
                    p = KinesisDeliveryBenchmark.plainLoop(client, stream(kinesis, "plain", round), all);
                }
                if (print) {
                    System.out.printf("round %d: plain loop %.0f ev/s, sluice from disk %.0f ev/s%n", round, p, s);
                    System.out.flush();
                }
                plain = Math.max(plain, p);
                catchUp = Math.max(catchUp, s);
            }
        }
        return new Result(plain, catchUp);
    }

    private static String stream(Kinesalite kinesis, String name, int round) {
        String stream = "catchup-" + name + "-" + round + "-" + System.nanoTime();
        kinesis.createStream(stream, 4);
        return stream;
    }

    /** Fills a spool for one reader, then times its engine until the backlog is empty. */
    static double fromDisk(Kinesalite kinesis, String stream, List<Event> events) throws Exception {
        Path dir = Files.createTempDirectory("sluice-catchup");
        Path file = dir.resolve("spool.db");
        try (Spool fill = Spool.open(file, SpoolPolicy.defaults().withFsync(SpoolPolicy.Fsync.INTERVAL, Duration.ofSeconds(1)))) {
            SpoolReader reader = fill.reader("bench");
            for (int from = 0; from < events.size(); from += 10_000) {
                List<Spool.Routed> routed = new ArrayList<>();
                for (Event e : events.subList(from, Math.min(events.size(), from + 10_000))) {
                    routed.add(new Spool.Routed(e, List.of(reader)));
                }
                fill.append(routed).join();
            }
        }
        DestinationProvider provider = new KinesisDestinationProvider();
        Destination destination = provider.create(provider.settingsSchema().parse(Map.of(
                "stream", stream, "region", Kinesalite.REGION, "endpoint", kinesis.endpoint().toString(),
                "accessKeyId", "local", "secretAccessKey", "local-benchmark")));
        destination.open();
        AtomicLong failed = new AtomicLong();
        try (Spool spool = Spool.open(file, SpoolPolicy.defaults())) {
            SpoolReader reader = spool.reader("bench");
            if (reader.backlog().events() != events.size()) {
                throw new IllegalStateException("the spool holds " + reader.backlog().events() + " of " + events.size());
            }
            long start = System.nanoTime();
            DeliveryEngine engine = new DeliveryEngine("bench", destination, DeliveryPolicy.defaults(),
                    new DeliveryListener() {
                        @Override
                        public void failed(Event event, String reason) {
                            failed.incrementAndGet();
                        }
                    }, reader);
            while (reader.backlog().events() > 0) {
                Thread.sleep(2);
            }
            double rate = events.size() / ((System.nanoTime() - start) / 1e9);
            engine.close(Duration.ofSeconds(10));
            if (failed.get() != 0) {
                throw new IllegalStateException(failed + " events failed");
            }
            return rate;
        }
    }
}
