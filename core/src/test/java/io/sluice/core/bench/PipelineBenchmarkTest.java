package io.sluice.core.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.core.intake.Intake;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.infra.Blackhole;

/** Keeps the benchmark honest: both sides handle every event, and the payloads are what they claim. */
class PipelineBenchmarkTest {

    @Test
    void bothSidesHandleEveryEvent() throws Exception {
        PipelineBenchmark benchmark = new PipelineBenchmark();
        benchmark.setUp();
        Blackhole hole = new Blackhole("Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
        assertThat(benchmark.jacksonReadTreeWriteBytes(hole)).isEqualTo(PipelineBenchmark.EVENTS_PER_INVOCATION);
        assertThat(benchmark.sluicePipeline(hole)).isEqualTo(PipelineBenchmark.EVENTS_PER_INVOCATION);
        hole.evaporate("Yes, I am Stephen Hawking, and know a thing or two about black holes.");
    }

    @Test
    void eventsAreOneToFourKilobytes() throws Exception {
        List<byte[]> batches = BenchPayloads.batches(2, 100, 7);
        var result = new Intake(Clock.systemUTC()).readBatch(batches.get(0));
        assertThat(result.rejected()).isEmpty();
        assertThat(result.accepted()).hasSize(100).allSatisfy(a ->
                assertThat(a.event().jsonLength()).isBetween(1024, 4 * 1024 + 512));
        assertThat(result.accepted()).extracting(a -> a.event().type()).hasSizeGreaterThan(1)
                .contains(io.sluice.spi.event.EventType.TRACK, io.sluice.spi.event.EventType.IDENTIFY);
    }
}
