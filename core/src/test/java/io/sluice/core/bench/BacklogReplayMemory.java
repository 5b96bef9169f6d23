package io.sluice.core.bench;

import io.sluice.core.delivery.DeliveryEngine;
import io.sluice.core.delivery.DeliveryListener;
import io.sluice.core.delivery.DeliveryPolicy;
import io.sluice.core.spool.Spool;
import io.sluice.core.spool.SpoolPolicy;
import io.sluice.core.spool.SpoolReader;
import io.sluice.spi.BatchLimits;
import io.sluice.spi.Destination;
import io.sluice.spi.Outcome;
import io.sluice.spi.event.Event;
import io.sluice.spi.event.EventType;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory a restart costs: a spool holding {@code bytes} of backlog (1 GiB by default) for one
 * destination is replayed by its engine into a destination that accepts and discards, in a heap
 * far smaller than the spool ({@code bench/run memory} runs it with {@code -Xmx256m}). Prints the
 * heap's peak while replaying, the replay rate, and whether every event was delivered.
 */
public final class BacklogReplayMemory {

    public static void main(String[] args) throws Exception {
        long bytes = args.length > 0 ? Long.parseLong(args[0]) : 1L << 30;
        Path dir = Files.createTempDirectory("sluice-replay-memory");
        Path file = dir.resolve("spool.db");
        long events = fill(file, bytes);
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            pool.resetPeakUsage();
        }
        long[] result = replay(file);
        System.out.printf("RESULT memory spool=%d MiB events=%d delivered=%d replay=%.0f ev/s heap-peak=%d MiB of %d MiB%n",
                Files.size(file) >> 20, events, result[0], result[0] / (result[1] / 1e9), heapPeak() >> 20,
                Runtime.getRuntime().maxMemory() >> 20);
    }

    /** Appends events of about 1.5 KB for one reader until the spool holds {@code bytes}; the count. */
    static long fill(Path file, long bytes) {
        String pad = "p".repeat(1_400);
        long count = 0;
        try (Spool spool = Spool.open(file, SpoolPolicy.defaults().withMaxBytes(Long.MAX_VALUE)
                .withFsync(SpoolPolicy.Fsync.INTERVAL, Duration.ofSeconds(1)))) {
            SpoolReader reader = spool.reader("replayed");
            while (spool.bytes() < bytes) {
                List<Spool.Routed> routed = new ArrayList<>(5_000);
                for (int i = 0; i < 5_000; i++, count++) {
                    String id = "m" + count;
                    byte[] json = ("{\"type\":\"track\",\"messageId\":\"" + id + "\",\"userId\":\"u" + (count % 1000)
                            + "\",\"event\":\"Replayed\",\"properties\":{\"pad\":\"" + pad + "\"}}").getBytes(StandardCharsets.UTF_8);
                    routed.add(new Spool.Routed(Event.builder(EventType.TRACK, id, json).userId("u" + (count % 1000))
                            .eventName("Replayed").timestamp(Instant.now()).receivedAt(Instant.now()).build(), List.of(reader)));
                }
                spool.append(routed).join();
            }
        }
        return count;
    }

    /** Replays the spool into a discarding destination: events delivered and nanoseconds taken. */
    static long[] replay(Path file) throws Exception {
        AtomicLong delivered = new AtomicLong();
        Destination discard = new Destination() {
            @Override
            public CompletionStage<List<Outcome>> deliver(List<Event> batch) {
                return CompletableFuture.completedFuture(Collections.nCopies(batch.size(), Outcome.delivered()));
            }

            @Override
            public BatchLimits limits() {
                return new BatchLimits(500, 5L << 20);
            }

            @Override
            public void close() {}
        };
        try (Spool spool = Spool.open(file, SpoolPolicy.defaults().withMaxBytes(Long.MAX_VALUE))) {
            SpoolReader reader = spool.reader("replayed");
            long start = System.nanoTime();
            DeliveryEngine engine = new DeliveryEngine("replayed", discard, DeliveryPolicy.defaults(), new DeliveryListener() {
                @Override
                public void delivered(Event event, Outcome.Delivered outcome, Duration latency) {
                    delivered.incrementAndGet();
                }
            }, reader);
            while (reader.backlog().events() > 0) {
                Thread.sleep(10);
            }
            long took = System.nanoTime() - start;
            engine.close(Duration.ofSeconds(10));
            return new long[] {delivered.get(), took};
        }
    }

    static long heapPeak() {
        return ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
                .mapToLong(p -> p.getPeakUsage().getUsed()).sum();
    }

    private BacklogReplayMemory() {}
}
