package io.sluice.runner.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.kinesis.local.Kinesalite;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/** Keeps the end-to-end benchmark honest: both contenders put every event into their stream. */
class EndToEndBenchmarkTest {

    @Test
    @Timeout(300)
    void bothContendersPutEveryEventIntoKinesis() throws Exception {
        try (Kinesalite kinesis = Kinesalite.start(); KinesisAsyncClient client = kinesis.newClient()) {
            List<byte[]> bodies = EndToEndBenchmark.bodies(10);
            kinesis.createStream("e2e-check-producer", 2);
            kinesis.createStream("e2e-check-sluice", 2);
            assertThat(EndToEndBenchmark.producer(client, "e2e-check-producer", EndToEndBenchmark.records(bodies))).isPositive();
            assertThat(EndToEndBenchmark.sluice(kinesis, "e2e-check-sluice", bodies)).isPositive();
            assertThat(kinesis.records("e2e-check-producer")).hasSize(1_000);
            assertThat(kinesis.records("e2e-check-sluice")).hasSize(1_000);
        }
    }
}
