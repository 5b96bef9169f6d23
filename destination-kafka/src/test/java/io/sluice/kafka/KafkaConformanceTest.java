package io.sluice.kafka;

import io.sluice.conformance.Capability;
import io.sluice.conformance.DestinationConformanceTest;
import io.sluice.conformance.TestTarget;
import io.sluice.spi.DestinationProvider;
import io.sluice.spi.read.Arrival;
import io.sluice.spi.read.ArrivalReader;
import io.sluice.spi.read.ReadFrom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The conformance suite against a real KRaft broker (one per class), a fresh topic per check,
 * read back through the destination's own reader: the consumer {@code sluice tail} uses.
 */
class KafkaConformanceTest extends DestinationConformanceTest {

    private static final AtomicInteger TOPICS = new AtomicInteger();
    private static LocalKafka kafka;

    @BeforeAll
    static void startBroker() {
        kafka = LocalKafka.start();
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Override
    protected DestinationProvider provider() {
        return new KafkaDestinationProvider();
    }

    /**
     * A real broker cannot be made to fail on demand. The producer retries transient errors itself
     * within its delivery timeout, so a short failure ends Delivered; a broker that stays away is
     * covered by {@link BrokerOutageTest}, authentication by {@link ScramAuthenticationTest}, an
     * unknown topic and a record too large by {@link KafkaDeliveryTest}.
     */
    @Override
    protected boolean hasBehavior(Capability capability) {
        return switch (capability) {
            case RETRYABLE_ERRORS, PARTIAL_FAILURES, PERMANENT_ERRORS, CONFIGURATION_ERRORS -> false;
            default -> super.hasBehavior(capability);
        };
    }

    @Override
    protected TestTarget createTarget() {
        String topic = "conformance-" + TOPICS.incrementAndGet();
        kafka.createTopic(topic, 3);
        Map<String, Object> settings = new HashMap<>();
        settings.put("brokers", kafka.bootstrap());
        settings.put("topic", topic);
        KafkaDestinationProvider provider = new KafkaDestinationProvider();
        ArrivalReader reader = provider.reader(provider.settingsSchema().parse(settings), ReadFrom.EARLIEST).orElseThrow();
        List<byte[]> arrived = new ArrayList<>();
        return new TestTarget() {
            @Override
            public Map<String, Object> settings() {
                return new HashMap<>(settings);
            }

            @Override
            public synchronized List<byte[]> received() throws InterruptedException {
                for (Arrival arrival : reader.poll(Duration.ofMillis(200))) {
                    arrived.add(arrival.event());
                }
                return List.copyOf(arrived);
            }

            /** The broker process frozen for {@code delay}: every request in that time is answered late. */
            @Override
            public void delayResponses(int requests, Duration delay) {
                kafka.freeze(delay);
            }

            @Override
            public void close() {
                reader.close();
            }
        };
    }
}
