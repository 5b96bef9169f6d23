package io.sluice.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.spi.Destination;
import io.sluice.spi.Outcome;
import io.sluice.spi.event.Event;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The broker goes away for 20 s in the middle of a steady load and comes back: nothing is lost. */
class BrokerOutageTest {

    private static LocalKafka kafka;

    @BeforeAll
    static void startBroker() {
        kafka = LocalKafka.start();
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    @Test
    void aBrokerStoppedFor20SecondsMidLoadLosesNothing() throws Exception {
        kafka.createTopic("outage", 3);
        Destination destination = TestEvents.open(TestEvents.settings(kafka.bootstrap(), "outage"));
        // 6,000 events over about 12 s: 250 every half second.
        List<Event> events = TestEvents.tracks("outage", 6_000);

        CompletableFuture<Void> outage = CompletableFuture.runAsync(() -> {
            sleep(Duration.ofSeconds(3));
            kafka.stop();
            sleep(Duration.ofSeconds(20));
            kafka.restart();
        });
        EngineRun.Result result = EngineRun.deliverPaced(destination, events, 250, Duration.ofMillis(500), 10_000);
        outage.get();
        destination.close();

        assertThat(result.count(Outcome.Delivered.class)).isEqualTo(events.size());
        Map<String, Long> arrived = kafka.records("outage").stream()
                .collect(Collectors.groupingBy(r -> TestEvents.messageId(r.value()), Collectors.counting()));
        // At least once: a batch the engine sent again after the producer's delivery timeout may arrive twice.
        assertThat(arrived.keySet()).containsExactlyInAnyOrderElementsOf(events.stream().map(Event::messageId).toList());
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
