package io.sluice.webhook.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Keeps the benchmark runnable and honest: in both rounds (each contender once first) both get every call to the receiver (the run throws otherwise). */
class WebhookDeliveryBenchmarkTest {

    @Test
    void bothContendersDeliverEveryCall() throws Exception {
        try (WebhookDeliveryBenchmark.Receiver receiver = new WebhookDeliveryBenchmark.Receiver()) {
            WebhookDeliveryBenchmark.Result result = WebhookDeliveryBenchmark.run(receiver, 1_000, 2, false);

            assertThat(result.httpLoopEventsPerSecond()).isPositive();
            assertThat(result.sluiceEventsPerSecond()).isPositive();
            assertThat(receiver.calls()).isEqualTo(4_000);
        }
    }

    @Test
    void eventsAreAboutOneAndAHalfKilobytes() {
        assertThat(WebhookDeliveryBenchmark.events(100, 1)).allSatisfy(e -> assertThat(e.jsonLength()).isBetween(1200, 1800));
    }
}
