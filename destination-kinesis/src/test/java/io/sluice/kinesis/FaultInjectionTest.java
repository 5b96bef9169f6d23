package io.sluice.kinesis;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.spi.Destination;
import io.sluice.spi.Health;
import io.sluice.spi.Outcome;
import io.sluice.spi.event.Event;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.services.kinesis.model.Record;

/** Faults a real Kinesis produces, injected between the destination and kinesalite. */
@ExtendWith(KinesaliteExtension.class)
class FaultInjectionTest {

    private TestKinesis kinesis;
    private FaultyKinesis proxy;
    private String stream;
    private Destination destination;

    @BeforeEach
    void start(TestKinesis kinesis) {
        this.kinesis = kinesis;
        this.proxy = FaultyKinesis.inFrontOf(kinesis.endpoint());
        this.stream = kinesis.newStream(2);
        Map<String, Object> settings = kinesis.settings(stream);
        settings.put("endpoint", proxy.endpoint().toString());
        this.destination = TestKinesis.open(settings);
    }

    @AfterEach
    void stop() {
        destination.close();
        proxy.close();
    }

    @Test
    void refusedRecordsArePublishedAsThePluginsOwnMetric() {
        java.util.concurrent.atomic.AtomicLong refused = new java.util.concurrent.atomic.AtomicLong();
        io.sluice.spi.metrics.PluginMetrics metrics = new io.sluice.spi.metrics.PluginMetrics() {
            @Override
            public Counter counter(String name, String help) {
                assertThat(name).isEqualTo("kinesis_refused_records_total");
                return refused::addAndGet;
            }

            @Override
            public Histogram histogram(String name, String help, double... buckets) {
                throw new AssertionError("no histogram expected");
            }
        };
        Map<String, Object> raw = kinesis.settings(stream);
        raw.put("endpoint", proxy.endpoint().toString());
        KinesisDestinationProvider provider = new KinesisDestinationProvider();
        Destination counted = provider.create(provider.settingsSchema().parse(raw), new io.sluice.spi.DestinationContext() {
            @Override
            public String instanceName() {
                return "web/kinesis";
            }

            @Override
            public io.sluice.spi.metrics.PluginMetrics metrics() {
                return metrics;
            }
        });
        try {
            counted.open();
            proxy.failRecords(Map.of(0, "ProvisionedThroughputExceededException", 2, "InternalFailure"));
            List<Outcome> outcomes = counted.deliver(events(3)).toCompletableFuture().join();

            assertThat(outcomes.get(1)).isInstanceOf(Outcome.Delivered.class);
            assertThat(refused.get()).isEqualTo(2);
        } finally {
            counted.close();
        }
    }

    @Test
    void onlyTheEntriesThatFailedAreSentAgainAndEverythingArrivesOnce() {
        List<Event> events = events(10);
        proxy.failRecords(Map.of(
                1, "ProvisionedThroughputExceededException",
                4, "InternalFailure",
                7, "ProvisionedThroughputExceededException",
                8, "InternalFailure"));

        List<Outcome> first = deliver(events);

        assertThat(IntStream.range(0, 10).filter(i -> first.get(i) instanceof Outcome.Retryable).boxed().toList())
                .containsExactly(1, 4, 7, 8);
        assertThat(first.get(1)).isInstanceOfSatisfying(Outcome.Retryable.class,
                r -> assertThat(r.reason()).startsWith("ProvisionedThroughputExceededException"));
        assertThat(first.get(4)).isInstanceOfSatisfying(Outcome.Retryable.class,
                r -> assertThat(r.reason()).startsWith("InternalFailure"));
        assertThat(destination.health()).as("throttling is no operator's business").isEqualTo(Health.HEALTHY);

        // As the engine does: send again only what was retryable.
        List<Event> retry = IntStream.range(0, 10).filter(i -> first.get(i) instanceof Outcome.Retryable)
                .mapToObj(events::get).toList();
        List<Outcome> second = deliver(retry);

        assertThat(second).allSatisfy(o -> assertThat(o).isInstanceOf(Outcome.Delivered.class));
        List<FaultyKinesis.Seen> requests = proxy.seen("PutRecords");
        assertThat(requests).as("one request per deliver: no retry inside the destination or the SDK").hasSize(2);
        List<String> firstEntries = requests.get(0).entries();
        assertThat(requests.get(1).entries()).containsExactly(
                firstEntries.get(1), firstEntries.get(4), firstEntries.get(7), firstEntries.get(8));
        assertArrivedExactlyOnce(events);
    }

    @Test
    void wholeRequestServerErrorsAreRetryableUntilTheyPass() throws Exception {
        List<Event> events = events(5);
        proxy.failRequests(2, 500, "InternalFailure", "injected");

        EngineRun.Result result = EngineRun.deliverAll(destination, events, 5);

        assertThat(result.attempts()).isEqualTo(3);
        assertThat(result.count(Outcome.Delivered.class)).isEqualTo(5);
        assertThat(proxy.seen("PutRecords")).hasSize(3)
                .allSatisfy(seen -> assertThat(seen.entries()).hasSize(5));
        assertThat(destination.health()).isEqualTo(Health.HEALTHY);
        assertArrivedExactlyOnce(events);
    }

    @ParameterizedTest
    @CsvSource({
            "500, InternalFailure",
            "503, ServiceUnavailable",
            "400, ProvisionedThroughputExceededException",
            "400, LimitExceededException",
            "400, ThrottlingException"})
    void transientWholeRequestErrorsKeepTheEventsAndHealth(int status, String type) {
        proxy.failRequests(1, status, type, "injected");

        List<Outcome> outcomes = deliver(events(3));

        assertThat(outcomes).hasSize(3).allSatisfy(o -> assertThat(o).isInstanceOfSatisfying(Outcome.Retryable.class,
                r -> assertThat(r.reason()).contains(type).doesNotContain("configuration error")));
        assertThat(destination.health()).isEqualTo(Health.HEALTHY);
        assertThat(kinesis.server().records(stream)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource({
            "400, AccessDeniedException",
            "400, UnrecognizedClientException",
            "403, InvalidSignatureException",
            "403, ExpiredTokenException",
            "400, KMSAccessDeniedException",
            "400, ValidationException",
            "400, ResourceNotFoundException"})
    void configurationErrorsKeepTheEventsAndMakeTheDestinationUnhealthyUntilARequestSucceeds(int status, String type) {
        List<Event> events = events(3);
        // A service message that quotes the secret must not carry it any further.
        proxy.failRequests(1, status, type, "denied for key " + TestKinesis.SECRET);

        List<Outcome> outcomes = deliver(events);

        assertThat(outcomes).hasSize(3).allSatisfy(o -> assertThat(o).isInstanceOfSatisfying(Outcome.Retryable.class,
                r -> assertThat(r.reason()).contains("configuration error").contains(type)
                        .doesNotContain(TestKinesis.SECRET)));
        ConfigurationErrorsTest.assertUnhealthyNaming(destination.health(), stream);
        assertThat(destination.health().message()).contains(type);

        List<Outcome> retried = deliver(events);

        assertThat(retried).allSatisfy(o -> assertThat(o).isInstanceOf(Outcome.Delivered.class));
        assertThat(destination.health()).isEqualTo(Health.HEALTHY);
        assertArrivedExactlyOnce(events);
    }

    @Test
    void aKmsErrorOnRecordsIsAConfigurationError() {
        List<Event> events = events(3);
        proxy.failRecords(Map.of(0, "KMSAccessDeniedException", 2, "KMSDisabledException"));

        List<Outcome> outcomes = deliver(events);

        assertThat(outcomes.get(0)).isInstanceOf(Outcome.Retryable.class);
        assertThat(outcomes.get(1)).isInstanceOf(Outcome.Delivered.class);
        assertThat(outcomes.get(2)).isInstanceOf(Outcome.Retryable.class);
        ConfigurationErrorsTest.assertUnhealthyNaming(destination.health(), stream);
        assertThat(destination.health().message()).contains("KMS");

        deliver(List.of(events.get(0), events.get(2)));

        assertThat(destination.health()).isEqualTo(Health.HEALTHY);
        assertArrivedExactlyOnce(events);
    }

    @Test
    void aStreamArnIsSentAsStreamArn() {
        // kinesalite knows only StreamName, so the proxy answers these requests itself.
        String arn = "arn:aws:kinesis:us-east-1:123456789012:stream/" + stream;
        Map<String, Object> settings = kinesis.settings(arn);
        settings.put("endpoint", proxy.endpoint().toString());
        proxy.failRequests(2, 500, "InternalFailure", "injected");

        try (Destination byArn = TestKinesis.open(settings)) {
            assertThat(byArn.deliver(events(1)).toCompletableFuture().join())
                    .singleElement().isInstanceOf(Outcome.Retryable.class);
        }

        assertThat(proxy.seen("DescribeStreamSummary")).last()
                .satisfies(seen -> assertThat(seen.json().get("StreamARN").asText()).isEqualTo(arn));
        assertThat(proxy.seen("PutRecords")).singleElement().satisfies(seen -> {
            assertThat(seen.json().get("StreamARN").asText()).isEqualTo(arn);
            assertThat(seen.json().has("StreamName")).isFalse();
        });
    }

    private List<Outcome> deliver(List<Event> events) {
        return destination.deliver(events).toCompletableFuture().join();
    }

    private static List<Event> events(int count) {
        return IntStream.range(0, count).mapToObj(i -> TestEvents.track("msg-" + i, "user-" + i)).toList();
    }

    private void assertArrivedExactlyOnce(List<Event> events) {
        List<Record> records = kinesis.awaitRecords(stream, events.size());
        Map<String, Long> copies = records.stream().map(r -> TestEvents.messageId(r, PayloadEncoding.BASE64))
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        assertThat(records).hasSize(events.size());
        assertThat(copies).containsOnlyKeys(events.stream().map(Event::messageId).toList())
                .allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1));
    }
}
