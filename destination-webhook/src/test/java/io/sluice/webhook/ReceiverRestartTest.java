package io.sluice.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.spi.Destination;
import io.sluice.spi.Outcome;
import io.sluice.spi.event.Event;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** A receiver that goes away mid-load and comes back on the same port: through the engine, nothing is lost. */
class ReceiverRestartTest {

    @Test
    void aReceiverRestartingMidLoadLosesNothing() throws Exception {
        try (LocalReceiver receiver = LocalReceiver.start(WebhookDeliveryTest.SHARED_SECRET)) {
            Destination destination = TestEvents.open(TestEvents.settings(receiver.url().toString(),
                    "sharedSecret", WebhookDeliveryTest.SHARED_SECRET, "batching", true, "timeoutSeconds", 2));
            List<Event> events = TestEvents.tracks("load", 5_000);
            // Slow answers at first, so the load is still going when the receiver stops.
            receiver.delay(100, Duration.ofMillis(20));

            CompletableFuture<Void> outage = CompletableFuture.runAsync(() -> {
                awaitCalls(receiver, 500);
                receiver.stop();
                sleep(Duration.ofSeconds(3));
                receiver.restart();
            });
            EngineRun.Result result = EngineRun.deliverAll(destination, events, 1_000);
            outage.get();
            destination.close();

            assertThat(result.count(Outcome.Delivered.class)).isEqualTo(events.size());
            assertThat(result.attempts()).as("the outage made the engine retry").isGreaterThan(1);
            Set<String> arrived = receiver.calls().stream().map(TestEvents::text)
                    .map(json -> json.replaceAll(".*\"messageId\":\"([^\"]+)\".*", "$1"))
                    .collect(Collectors.toSet());
            assertThat(arrived).containsAll(events.stream().map(Event::messageId).toList());
            assertThat(receiver.badSignatures()).isZero();
        }
    }

    private static void awaitCalls(LocalReceiver receiver, int count) {
        while (receiver.calls().size() < count) {
            sleep(Duration.ofMillis(5));
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
