package io.sluice.core.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.spi.BatchLimits;
import io.sluice.spi.Outcome;
import io.sluice.spi.event.Event;
import io.sluice.spi.event.EventType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DeliveryEngineTest {

    static final DeliveryPolicy FAST = DeliveryPolicy.defaults()
            .withLinger(Duration.ofMillis(5))
            .withBackoff(Duration.ofMillis(1), Duration.ofMillis(5));

    static Event event(int i, int payloadBytes) {
        String json = "{\"type\":\"track\",\"messageId\":\"m" + i + "\",\"p\":\"" + "x".repeat(payloadBytes) + "\"}";
        return Event.builder(EventType.TRACK, "m" + i, json.getBytes(StandardCharsets.UTF_8))
                .userId("u" + i).timestamp(Instant.EPOCH).receivedAt(Instant.EPOCH).build();
    }

    static List<String> ids(int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add("m" + i);
        }
        return ids;
    }

    static class Recorder implements DeliveryListener {
        final Set<String> delivered = ConcurrentHashMap.newKeySet();
        final Map<String, String> failed = new ConcurrentHashMap<>();
        final List<String> retried = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void delivered(Event event, Outcome.Delivered outcome, Duration latency) {
            delivered.add(event.messageId());
        }

        @Override
        public void retrying(Event event, String reason, int attempt) {
            retried.add(event.messageId());
        }

        @Override
        public void failed(Event event, String reason) {
            failed.put(event.messageId(), reason);
        }
    }

    @Test
    void batchesStayWithinTheDestinationsLimits() throws Exception {
        ScriptedDestination destination = ScriptedDestination.accepting(new BatchLimits(10, 1000));
        Recorder recorder = new Recorder();
        DeliveryEngine engine = new DeliveryEngine("t", destination, FAST, recorder);
        for (int i = 0; i < 100; i++) {
            engine.offer(event(i, 150));
        }
        engine.flush().get(10, TimeUnit.SECONDS);

        assertThat(recorder.delivered).containsExactlyInAnyOrderElementsOf(ids(100));
        int eventSize = event(0, 150).jsonLength();
        assertThat(destination.requests).allSatisfy(r -> {
            assertThat(r.size()).isBetween(1, 10);
            assertThat((long) r.size() * eventSize).isLessThanOrEqualTo(1000);
        });
        engine.close();
        assertThat(destination.closed).isTrue();
    }

    @Test
    void onlyFailedEntriesAreSentAgain() throws Exception {
        Set<String> failedOnce = ConcurrentHashMap.newKeySet();
        ScriptedDestination destination = new ScriptedDestination(new BatchLimits(500, 1 << 20), batch -> {
            List<Outcome> outcomes = new ArrayList<>();
            for (Event e : batch) {
                int n = Integer.parseInt(e.messageId().substring(1));
                outcomes.add(n % 3 == 0 && failedOnce.add(e.messageId())
                        ? Outcome.retryable("ProvisionedThroughputExceededException")
                        : Outcome.delivered());
            }
            return CompletableFuture.completedFuture(outcomes);
        });
        Recorder recorder = new Recorder();
        DeliveryEngine engine = new DeliveryEngine("t", destination, FAST.withLinger(Duration.ofSeconds(30)), recorder);
        for (int i = 0; i < 30; i++) {
            engine.offer(event(i, 10));
        }
        engine.flush().get(10, TimeUnit.SECONDS);

        List<String> everyOffered = ids(30);
        List<String> sentTwice = new ArrayList<>();
        List<String> all = destination.requests.stream().flatMap(List::stream).toList();
        Set<String> seen = new HashSet<>();
        all.forEach(id -> {
            if (!seen.add(id)) {
                sentTwice.add(id);
            }
        });
        assertThat(sentTwice).containsExactlyInAnyOrderElementsOf(failedOnce);
        assertThat(sentTwice).hasSize(10);
        assertThat(destination.requests).as("the failed entries go out again together, in one request").hasSize(2);
        assertThat(destination.requests.get(1)).containsExactlyInAnyOrderElementsOf(failedOnce);
        assertThat(recorder.retried).containsExactlyInAnyOrderElementsOf(failedOnce);
        assertThat(recorder.delivered).containsExactlyInAnyOrderElementsOf(everyOffered);
        assertThat(destination.delivered).doesNotHaveDuplicates();
        engine.close();
    }

    @Test
    void inFlightRequestsAreBounded() throws Exception {
        List<CompletableFuture<List<Outcome>>> pending = Collections.synchronizedList(new ArrayList<>());
        ScriptedDestination destination = new ScriptedDestination(new BatchLimits(1, 1 << 20), batch -> {
            CompletableFuture<List<Outcome>> f = new CompletableFuture<>();
            pending.add(f);
            return f;
        });
        DeliveryEngine engine = new DeliveryEngine("t", destination, FAST.withMaxInFlightRequests(3), new Recorder());
        for (int i = 0; i < 10; i++) {
            engine.offer(event(i, 10));
        }
        CompletableFuture<Void> drained = engine.flush();
        waitUntil(() -> pending.size() == 3);
        assertThat(destination.maxInFlight.get()).isEqualTo(3);
        while (!drained.isDone()) {
            List<CompletableFuture<List<Outcome>>> now;
            synchronized (pending) {
                now = new ArrayList<>(pending);
            }
            now.forEach(f -> f.complete(List.of(Outcome.delivered())));
            Thread.sleep(1);
        }
        assertThat(destination.maxInFlight.get()).isEqualTo(3);
        assertThat(destination.requests).hasSize(10);
        engine.close();
    }

    @Test
    void rejectedEventsAreReportedAndNotRetried() throws Exception {
        ScriptedDestination destination = new ScriptedDestination(new BatchLimits(10, 1 << 20), batch ->
                CompletableFuture.completedFuture(batch.stream()
                        .map(e -> e.messageId().equals("m1") ? (Outcome) Outcome.rejected("too large") : Outcome.delivered())
                        .toList()));
        Recorder recorder = new Recorder();
        DeliveryEngine engine = new DeliveryEngine("t", destination, FAST, recorder);
        for (int i = 0; i < 3; i++) {
            engine.offer(event(i, 10));
        }
        engine.flush().get(10, TimeUnit.SECONDS);
        assertThat(recorder.failed).containsExactly(Map.entry("m1", "too large"));
        assertThat(recorder.delivered).containsExactlyInAnyOrder("m0", "m2");
        assertThat(recorder.retried).isEmpty();
        engine.close();
    }

    @Test
    void outOfAttemptsIsAFailureWithTheLastReason() throws Exception {
        ScriptedDestination destination = new ScriptedDestination(new BatchLimits(10, 1 << 20), batch ->
                CompletableFuture.completedFuture(Collections.nCopies(batch.size(), Outcome.retryable("503 Service Unavailable"))));
        Recorder recorder = new Recorder();
        DeliveryEngine engine = new DeliveryEngine("t", destination, FAST.withMaxAttempts(3), recorder);
        engine.offer(event(0, 10));
        engine.flush().get(10, TimeUnit.SECONDS);
        assertThat(destination.requests).hasSize(3);
        assertThat(recorder.failed).containsExactly(Map.entry("m0", "gave up after 3 attempts: 503 Service Unavailable"));
        engine.close();
    }

    @Test
    void aDestinationThatThrowsIsRetried() throws Exception {
        Set<Integer> calls = ConcurrentHashMap.newKeySet();
        ScriptedDestination destination = new ScriptedDestination(new BatchLimits(10, 1 << 20), batch -> {
            if (calls.add(calls.size())  && calls.size() == 1) {
                throw new IllegalStateException("boom");
            }
            if (calls.size() == 2) {
                return CompletableFuture.failedFuture(new IllegalStateException("async boom"));
            }
            return CompletableFuture.completedFuture(Collections.nCopies(batch.size(), Outcome.delivered()));
        });
        Recorder recorder = new Recorder();
        DeliveryEngine engine = new DeliveryEngine("t", destination, FAST, recorder);
        engine.offer(event(0, 10));
        engine.flush().get(10, TimeUnit.SECONDS);
        assertThat(recorder.retried).containsExactly("m0", "m0");
        assertThat(recorder.delivered).containsExactly("m0");
        engine.close();
    }

    @Test
    void aWrongNumberOfOutcomesDeadLettersTheBatch() throws Exception {
        ScriptedDestination destination = new ScriptedDestination(new BatchLimits(10, 1 << 20), batch ->
                CompletableFuture.completedFuture(List.of(Outcome.delivered())));
        Recorder recorder = new Recorder();
        DeliveryEngine engine = new DeliveryEngine("t", destination, FAST.withLinger(Duration.ofSeconds(30)), recorder);
        engine.offer(event(0, 10));
        engine.offer(event(1, 10));
        engine.flush().get(10, TimeUnit.SECONDS);
        assertThat(recorder.failed).containsOnlyKeys("m0", "m1")
                .allSatisfy((id, reason) -> assertThat(reason).isEqualTo("destination t broke its contract: 1 outcomes for 2 events"));
        engine.close();
    }

    @Test
    void lingerSendsAPartialBatchWithoutAFlush() {
        ScriptedDestination destination = ScriptedDestination.accepting(new BatchLimits(500, 1 << 20));
        Recorder recorder = new Recorder();
        DeliveryEngine engine = new DeliveryEngine("t", destination, FAST, recorder);
        engine.offer(event(0, 10));
        waitUntil(() -> recorder.delivered.contains("m0"));
        assertThat(destination.requests).containsExactly(List.of("m0"));
        engine.close();
    }

    @Test
    void bufferIsBoundedInBytes() {
        ScriptedDestination destination = new ScriptedDestination(new BatchLimits(10, 1 << 20), batch -> new CompletableFuture<>());
        int size = event(0, 100).jsonLength();
        DeliveryEngine engine = new DeliveryEngine("t", destination, FAST.withMaxBufferedBytes(size * 3L), new Recorder());
        assertThat(engine.hasRoomFor(size)).isTrue();
        for (int i = 0; i < 3; i++) {
            engine.offer(event(i, 100));
        }
        assertThat(engine.hasRoomFor(1)).isFalse();
        assertThat(engine.stats()).isEqualTo(new DeliveryEngine.Stats(3, size * 3L));
        engine.close(Duration.ofMillis(50));
    }

    @Test
    void closeHandsBackWhatItCouldNotDeliver() {
        ScriptedDestination destination = new ScriptedDestination(new BatchLimits(2, 1 << 20), batch -> new CompletableFuture<>());
        DeliveryEngine engine = new DeliveryEngine("t", destination, FAST.withMaxInFlightRequests(1), new Recorder());
        for (int i = 0; i < 5; i++) {
            engine.offer(event(i, 10));
        }
        List<Event> left = engine.close(Duration.ofMillis(200));
        assertThat(left).extracting(Event::messageId).containsExactlyInAnyOrderElementsOf(ids(5));
        assertThat(destination.closed).isTrue();
    }

    @Test
    void anOfferRacingCloseIsHandedBackNeverStranded() throws Exception {
        // The offer is caught between its closed check and its enqueue (inside sizeOf) while close runs.
        java.util.concurrent.CountDownLatch inSizeOf = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        ScriptedDestination destination = new ScriptedDestination(new BatchLimits(10, 1 << 20), batch -> new CompletableFuture<>()) {
            @Override
            public long sizeOf(Event event) {
                inSizeOf.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return event.jsonLength();
            }
        };
        DeliveryEngine engine = new DeliveryEngine("t", destination, FAST, new Recorder());
        Thread offering = new Thread(() -> engine.offer(event(1, 10)));
        offering.start();
        inSizeOf.await();
        CompletableFuture<List<Event>> closing = CompletableFuture.supplyAsync(() -> engine.close(Duration.ofMillis(50)));
        Thread.sleep(200); // without the lock, close() would have handed back nothing by now
        release.countDown();
        offering.join(10_000);
        assertThat(closing.get(10, TimeUnit.SECONDS)).extracting(Event::messageId).containsExactly("m1");
    }

    @Test
    void aimdHalvesOnFailureAndStepsUpOnSuccess() {
        Aimd aimd = new Aimd(10, 100);
        assertThat(aimd.limit()).isEqualTo(100);
        aimd.onFailure();
        assertThat(aimd.limit()).isEqualTo(50);
        aimd.onFailure();
        aimd.onFailure();
        aimd.onFailure();
        assertThat(aimd.limit()).isEqualTo(10);
        aimd.onSuccess();
        assertThat(aimd.limit()).isEqualTo(10 + Aimd.INCREASE_STEP);
        for (int i = 0; i < 100; i++) {
            aimd.onSuccess();
        }
        assertThat(aimd.limit()).isEqualTo(100);
    }

    @Test
    void throttlingShrinksTheBatchesInFlight() throws Exception {
        // Every first attempt is throttled: the in-flight event budget halves until single batches of 10 go out.
        Set<String> throttled = ConcurrentHashMap.newKeySet();
        ScriptedDestination destination = new ScriptedDestination(new BatchLimits(10, 1 << 20), batch ->
                CompletableFuture.completedFuture(batch.stream()
                        .map(e -> throttled.add(e.messageId()) ? (Outcome) Outcome.retryable("throttled") : Outcome.delivered())
                        .toList()));
        Recorder recorder = new Recorder();
        DeliveryEngine engine = new DeliveryEngine("t", destination, FAST.withMaxInFlightRequests(4), recorder);
        for (int i = 0; i < 200; i++) {
            engine.offer(event(i, 10));
        }
        engine.flush().get(20, TimeUnit.SECONDS);
        assertThat(recorder.delivered).hasSize(200);
        assertThat(destination.delivered).doesNotHaveDuplicates();
        engine.close();
    }

    static void waitUntil(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
