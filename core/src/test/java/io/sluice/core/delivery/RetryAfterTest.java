package io.sluice.core.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.spi.BatchLimits;
import io.sluice.spi.Outcome;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A retryable outcome's retry-after is a floor under the engine's own backoff. */
class RetryAfterTest {

    @Test
    void theEngineWaitsAtLeastTheRetryAfterTheDestinationReports() throws Exception {
        Duration asked = Duration.ofMillis(400);
        List<Long> sentAt = new CopyOnWriteArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        ScriptedDestination destination = new ScriptedDestination(new BatchLimits(10, 1 << 20), batch -> {
            sentAt.add(System.nanoTime());
            Outcome outcome = calls.getAndIncrement() == 0
                    ? Outcome.retryable("429 Too Many Requests", asked)
                    : Outcome.delivered();
            return CompletableFuture.completedFuture(Collections.nCopies(batch.size(), outcome));
        });
        DeliveryEngineTest.Recorder recorder = new DeliveryEngineTest.Recorder();
        // Backoff of 1 to 5 ms: without the retry-after, the second attempt would follow within 5 ms.
        DeliveryEngine engine = new DeliveryEngine("t", destination, DeliveryEngineTest.FAST, recorder);
        engine.offer(DeliveryEngineTest.event(0, 10));
        engine.flush().get(10, TimeUnit.SECONDS);
        assertThat(recorder.delivered).containsExactly("m0");
        assertThat(sentAt).hasSize(2);
        assertThat(sentAt.get(1) - sentAt.get(0)).isGreaterThanOrEqualTo(asked.toNanos());
        engine.close();
    }

    @Test
    void withoutARetryAfterTheBackoffAloneDecides() throws Exception {
        List<Long> sentAt = new CopyOnWriteArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        ScriptedDestination destination = new ScriptedDestination(new BatchLimits(10, 1 << 20), batch -> {
            sentAt.add(System.nanoTime());
            Outcome outcome = calls.getAndIncrement() == 0 ? Outcome.retryable("503") : Outcome.delivered();
            return CompletableFuture.completedFuture(Collections.nCopies(batch.size(), outcome));
        });
        DeliveryEngine engine = new DeliveryEngine("t", destination,
                DeliveryEngineTest.FAST.withBackoff(Duration.ofMillis(600), Duration.ofMillis(600)),
                new DeliveryEngineTest.Recorder());
        engine.offer(DeliveryEngineTest.event(0, 10));
        engine.flush().get(10, TimeUnit.SECONDS);
        // Equal jitter: at least half the backoff.
        assertThat(sentAt.get(1) - sentAt.get(0)).isGreaterThanOrEqualTo(Duration.ofMillis(300).toNanos());
        engine.close();
    }
}
