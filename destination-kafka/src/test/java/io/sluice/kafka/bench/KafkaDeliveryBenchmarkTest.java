package io.sluice.kafka.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.kafka.LocalKafka;
import org.junit.jupiter.api.Test;

/** Keeps the benchmark runnable and honest: in both rounds (each contender once first) both deliver every event, the same records (the run throws otherwise). */
class KafkaDeliveryBenchmarkTest {

    @Test
    void bothContendersDeliverEveryEventToTheBroker() throws Exception {
        try (LocalKafka kafka = LocalKafka.start()) {
            KafkaDeliveryBenchmark.Result result = KafkaDeliveryBenchmark.run(kafka, 1_000, 2, false);

            assertThat(result.producerLoopEventsPerSecond()).isPositive();
            assertThat(result.sluiceEventsPerSecond()).isPositive();
            assertThat(kafka.topics()).filteredOn(t -> t.startsWith("bench-")).hasSize(4)
                    .allSatisfy(topic -> assertThat(kafka.records(topic)).hasSize(1_000));
        }
    }

    @Test
    void eventsAreAboutOneAndAHalfKilobytes() {
        assertThat(KafkaDeliveryBenchmark.events(100, 1)).allSatisfy(e -> assertThat(e.jsonLength()).isBetween(1200, 1800));
    }
}
