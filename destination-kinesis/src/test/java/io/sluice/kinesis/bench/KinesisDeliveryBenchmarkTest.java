package io.sluice.kinesis.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.kinesis.local.Kinesalite;
import org.junit.jupiter.api.Test;

/** Keeps the benchmark runnable: every contender delivers every event (the run throws otherwise). */
class KinesisDeliveryBenchmarkTest {

    @Test
    void everyContenderDeliversEveryEvent() throws Exception {
        try (Kinesalite kinesis = Kinesalite.start()) {
            KinesisDeliveryBenchmark.Result result = KinesisDeliveryBenchmark.run(kinesis, 1_200, 1, 50, false);
            assertThat(result.plainLoopEventsPerSecond()).isPositive();
            assertThat(result.sluiceEventsPerSecond()).isPositive();
            assertThat(result.putRecordEventsPerSecond()).isPositive();
        }
    }

    @Test
    void eventsAreAboutOneAndAHalfKilobytes() {
        assertThat(KinesisDeliveryBenchmark.events(100, 1)).allSatisfy(e -> assertThat(e.jsonLength()).isBetween(1200, 1800));
    }
}
