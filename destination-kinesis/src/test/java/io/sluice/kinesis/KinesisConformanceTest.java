package io.sluice.kinesis;

import io.sluice.conformance.Capability;
import io.sluice.conformance.DestinationConformanceTest;
import io.sluice.conformance.TestTarget;
import io.sluice.spi.DestinationProvider;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.services.kinesis.model.Record;

/**
 * The conformance suite against the Kinesis destination: a fresh kinesalite stream per check, reached
 * through the fault-injecting proxy so the suite can make requests fail retryably.
 */
@ExtendWith(KinesaliteExtension.class)
class KinesisConformanceTest extends DestinationConformanceTest {

    private static TestKinesis kinesis;

    @BeforeAll
    static void shareKinesalite(TestKinesis shared) {
        kinesis = shared;
    }

    @Override
    protected DestinationProvider provider() {
        return new KinesisDestinationProvider();
    }

    /**
     * PutRecords does not keep the order of the records of one request, so neither do we. Kinesis
     * refuses no event for good but for its size (checked before sending): every other refusal is
     * about the stream or the credentials, a configuration error.
     */
    @Override
    protected boolean hasBehavior(Capability capability) {
        return switch (capability) {
            case ORDERING_PER_PARTITION, PERMANENT_ERRORS -> false;
            default -> super.hasBehavior(capability);
        };
    }

    @Override
    protected TestTarget createTarget() {
        String stream = kinesis.newStream(2);
        FaultyKinesis proxy = FaultyKinesis.inFrontOf(kinesis.endpoint());
        return new TestTarget() {
            @Override
            public Map<String, Object> settings() {
                Map<String, Object> settings = kinesis.settings(stream);
                settings.put("endpoint", proxy.endpoint().toString());
                return settings;
            }

            /** Records hold the Base64 text of the message (the default, Segment-compatible encoding). */
            @Override
            public List<byte[]> received() {
                List<byte[]> messages = new ArrayList<>();
                for (Record record : kinesis.server().records(stream)) {
                    messages.add(Base64.getDecoder().decode(record.data().asByteArray()));
                }
                return messages;
            }

            @Override
            public void injectRetryableFailures(int requests) {
                proxy.failRequests(requests, 500, "InternalFailure", "injected by the conformance suite");
            }

            /** Kinesis reports throttling per record in a PutRecords answer. */
            @Override
            public void injectRecordFailures(Set<String> messageIds) {
                proxy.failRecordsOf(messageIds, "ProvisionedThroughputExceededException");
            }

            /** What Kinesis answers for a stream that does not exist (or was deleted). */
            @Override
            public void injectConfigurationFailures(int requests) {
                proxy.failRequests(requests, 400, "ResourceNotFoundException",
                        "Stream " + stream + " under account 000000000000 not found.");
            }

            @Override
            public void delayResponses(int requests, Duration delay) {
                proxy.delayRequests(requests, delay);
            }

            @Override
            public void close() {
                proxy.close();
            }
        };
    }
}
