package io.sluice.core.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.core.spool.Spool;
import io.sluice.core.spool.SpoolPolicy;
import io.sluice.core.spool.SpoolReader;
import io.sluice.spi.BatchLimits;
import io.sluice.spi.Outcome;
import io.sluice.spi.event.Event;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An engine fed by its reader of a real spool: memory holds a window, the backlog stays on disk. */
class SpoolFedEngineTest {

    @TempDir
    Path dir;

    private static final BatchLimits LIMITS = new BatchLimits(10, 1_000_000);

    /** A destination that is down while {@code down} is set, then delivers. */
    private static ScriptedDestination switchable(AtomicBoolean down) {
        return new ScriptedDestination(LIMITS, batch -> CompletableFuture.completedFuture(Collections.nCopies(batch.size(),
                down.get() ? Outcome.retryable("down") : Outcome.delivered())));
    }

    private static void append(Spool spool, SpoolReader reader, int from, int to) {
        List<Spool.Routed> routed = new ArrayList<>();
        for (int i = from; i < to; i++) {
            routed.add(new Spool.Routed(DeliveryEngineTest.event(i, 100), List.of(reader)));
        }
        spool.append(routed).join();
    }

    @Test
    void aDownDestinationHoldsAWindowInMemoryAndCatchesUpInOrderFromDisk() throws Exception {
        AtomicBoolean down = new AtomicBoolean(true);
        ScriptedDestination destination = switchable(down);
        DeliveryEngineTest.Recorder recorder = new DeliveryEngineTest.Recorder();
        // A window of about ten events.
        DeliveryPolicy policy = DeliveryEngineTest.FAST.withMaxBufferedBytes(10L * DeliveryEngineTest.event(0, 100).jsonLength());
        try (Spool spool = Spool.open(dir.resolve("spool.db"), SpoolPolicy.defaults())) {
            SpoolReader reader = spool.reader("d");
            DeliveryEngine engine = new DeliveryEngine("d", destination, policy, recorder, reader);
            long maxHeld = 0;
            for (int i = 0; i < 2_000; i += 100) {
                append(spool, reader, i, i + 100);
                maxHeld = Math.max(maxHeld, engine.stats().events());
            }
            await(() -> !recorder.retried.isEmpty());
            assertThat(maxHeld).as("memory holds the window, never the backlog").isLessThanOrEqualTo(11);
            assertThat(reader.backlog().events()).isEqualTo(2_000);

            down.set(false);
            await(() -> recorder.delivered.size() == 2_000);
            // Retries aside, the destination saw events oldest first: each id's first request is in order.
            List<String> firstSeen = new ArrayList<>();
            destination.requests.forEach(batch -> batch.forEach(id -> {
                if (!firstSeen.contains(id)) {
                    firstSeen.add(id);
                }
            }));
            assertThat(firstSeen).containsExactlyElementsOf(DeliveryEngineTest.ids(2_000));
            await(() -> reader.backlog().events() == 0);
            engine.close(Duration.ofSeconds(5));
        }
    }

    /** A dead-letter write that fails keeps the event: it is not finished in the spool until the write works. */
    @Test
    void aFailedDeadLetterWriteKeepsTheEventInTheSpool() throws Exception {
        ScriptedDestination rejecting = new ScriptedDestination(LIMITS, batch -> CompletableFuture.completedFuture(
                Collections.nCopies(batch.size(), Outcome.rejected("no"))));
        AtomicInteger writes = new AtomicInteger();
        AtomicBoolean diskBroken = new AtomicBoolean(true);
        List<String> deadLettered = Collections.synchronizedList(new ArrayList<>());
        DeliveryListener listener = new DeliveryListener() {
            @Override
            public void failed(Event event, String reason) {
                writes.incrementAndGet();
                if (diskBroken.get()) {
                    throw new IllegalStateException("disk broken");
                }
                deadLettered.add(event.messageId());
            }
        };
        try (Spool spool = Spool.open(dir.resolve("spool.db"), SpoolPolicy.defaults())) {
            SpoolReader reader = spool.reader("d");
            DeliveryEngine engine = new DeliveryEngine("d", rejecting, DeliveryEngineTest.FAST, listener, reader);
            append(spool, reader, 0, 3);
            await(() -> writes.get() >= 9);
            assertThat(deadLettered).isEmpty();
            assertThat(reader.backlog().events()).as("kept while the dead-letter file fails").isEqualTo(3);
            diskBroken.set(false);
            await(() -> deadLettered.size() == 3);
            await(() -> reader.backlog().events() == 0);
            engine.close(Duration.ofSeconds(5));
        }
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 30 s");
            }
            Thread.sleep(5);
        }
    }
}
