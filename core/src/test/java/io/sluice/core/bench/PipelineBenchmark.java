package io.sluice.core.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.core.intake.AcceptedEvent;
import io.sluice.core.intake.Intake;
import io.sluice.core.intake.IntakeResult;
import io.sluice.core.spec.RequestException;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The core pipeline (parse, validate, normalise, route, serialise for delivery) against its limit:
 * Jackson's {@code readTree} plus {@code writeValueAsBytes} of every event of the same batches.
 * Scores are events per second (each invocation handles {@value #EVENTS_PER_INVOCATION} events).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xms1g", "-Xmx1g"})
public class PipelineBenchmark {

    static final int BATCHES = 20;
    static final int EVENTS_PER_BATCH = 100;
    static final int EVENTS_PER_INVOCATION = BATCHES * EVENTS_PER_BATCH;
    static final String DESTINATION = "Amazon Kinesis";

    private final ObjectMapper plainJackson = new ObjectMapper();
    private final Intake intake = new Intake(Clock.systemUTC());
    private List<byte[]> batches;

    @Setup
    public void setUp() {
        batches = BenchPayloads.batches(BATCHES, EVENTS_PER_BATCH, 42);
    }

    /** The limit: a generic JSON round trip of every event, with no Spec work at all. */
    @Benchmark
    @OperationsPerInvocation(EVENTS_PER_INVOCATION)
    public int jacksonReadTreeWriteBytes(Blackhole hole) throws IOException {
        int events = 0;
        for (byte[] body : batches) {
            for (JsonNode event : plainJackson.readTree(body).get("batch")) {
                hole.consume(plainJackson.writeValueAsBytes(event));
                events++;
            }
        }
        return events;
    }

    /** Sluice: every event parsed, validated, normalised, routed and serialised once for delivery. */
    @Benchmark
    @OperationsPerInvocation(EVENTS_PER_INVOCATION)
    public int sluicePipeline(Blackhole hole) throws RequestException {
        int events = 0;
        for (byte[] body : batches) {
            IntakeResult result = intake.readBatch(body);
            for (AcceptedEvent accepted : result.accepted()) {
                // The docs' identify example disables All, so routing really decides here.
                hole.consume(accepted.integrations().enables(DESTINATION));
                hole.consume(accepted.event().json());
                events++;
            }
        }
        return events;
    }
}
