package io.sluice.kinesis.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.kinesis.local.Kinesalite;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Keeps the catch-up benchmark runnable and honest: the backlog it times is really delivered. */
class KinesisCatchUpBenchmarkTest {

    @Test
    void theBacklogFromDiskReachesTheStream() throws Exception {
        try (Kinesalite kinesis = Kinesalite.start()) {
            kinesis.createStream("catchup-check", 2);
            double rate = KinesisCatchUpBenchmark.fromDisk(kinesis, "catchup-check",
                    KinesisDeliveryBenchmark.events(1_500, 3));
            assertThat(rate).isPositive();
            Set<String> partitionKeys = new HashSet<>();
            kinesis.records("catchup-check").forEach(r -> partitionKeys.add(r.partitionKey()));
            assertThat(kinesis.records("catchup-check")).hasSize(1_500);
            assertThat(partitionKeys).allSatisfy(k -> assertThat(k).startsWith("user-"));
        }
    }
}
