package io.sluice.kinesis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.sluice.spi.Destination;
import io.sluice.spi.Health;
import io.sluice.spi.Outcome;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Failures that are not the events' fault: the events are kept, and health says what to fix. */
@ExtendWith(KinesaliteExtension.class)
class ConfigurationErrorsTest {

    @Test
    void aMissingStreamKeepsTheEventsAndMakesTheDestinationUnhealthy(TestKinesis kinesis) {
        String stream = "missing-" + System.nanoTime();

        try (Destination destination = TestKinesis.open(kinesis.settings(stream))) {
            // The startup check already finds it missing.
            assertUnhealthyNaming(destination.health(), stream);

            List<Outcome> outcomes = destination.deliver(List.of(TestEvents.track("m-1", "u1"),
                    TestEvents.track("m-2", "u2"))).toCompletableFuture().join();

            assertThat(outcomes).hasSize(2).allSatisfy(o -> assertThat(o)
                    .isInstanceOfSatisfying(Outcome.Retryable.class,
                            r -> assertThat(r.reason()).contains("ResourceNotFoundException")));
            assertUnhealthyNaming(destination.health(), stream);

            // Once the operator creates the stream, the same events go through and health recovers.
            kinesis.server().createStream(stream, 1);
            List<Outcome> retried = destination.deliver(List.of(TestEvents.track("m-1", "u1"),
                    TestEvents.track("m-2", "u2"))).toCompletableFuture().join();

            assertThat(retried).allSatisfy(o -> assertThat(o).isInstanceOf(Outcome.Delivered.class));
            assertThat(destination.health()).isEqualTo(Health.HEALTHY);
        }
        assertThat(kinesis.awaitRecords(stream, 2)).hasSize(2);
    }

    @Test
    void anExistingStreamIsHealthyAfterOpen(TestKinesis kinesis) {
        try (Destination destination = TestKinesis.open(kinesis.settings(kinesis.newStream(1)))) {
            assertThat(destination.health()).isEqualTo(Health.HEALTHY);
        }
    }

    @Test
    void aDeadEndpointGivesRetryableOutcomesAndLeavesHealthAlone(TestKinesis kinesis) throws IOException {
        // A port that is bound but not listening refuses connections, and being taken it cannot
        // become the client's own source port (a closed ephemeral port could: TCP would connect
        // to itself and hang until the call timeout).
        try (Socket deadPort = new Socket()) {
            deadPort.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Map<String, Object> settings = kinesis.settings("events");
            settings.put("endpoint", "http://127.0.0.1:" + deadPort.getLocalPort());

            try (Destination destination = TestKinesis.open(settings)) {
                List<Outcome> outcomes = destination.deliver(List.of(TestEvents.track("m-1", "u1")))
                        .toCompletableFuture().join();

                // Usually "Connection refused"; now and then, after the startup check's refused
                // connection, the SDK's pool only gives up at the acquire timeout. Retryable either way.
                assertThat(outcomes).singleElement().isInstanceOfSatisfying(Outcome.Retryable.class,
                        r -> assertThat(r.reason()).containsAnyOf("Connection refused", "Acquire operation")
                                .doesNotContain("configuration error"));
                // A connection error is transient: no operator action, so health is unchanged.
                assertThat(destination.health()).isEqualTo(Health.HEALTHY);
            }
        }
    }

    @Test
    void noCredentialsAtAllIsAConfigurationError(TestKinesis kinesis) {
        // Only meaningful where the SDK's default chain finds nothing; the build sets
        // aws.disableEc2Metadata so the chain never leaves this machine.
        assumeTrue(Stream.of("AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE",
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI")
                .allMatch(name -> System.getenv(name) == null));
        assumeTrue(System.getProperty("aws.accessKeyId") == null);
        assumeTrue(Files.notExists(Path.of(System.getProperty("user.home"), ".aws")));
        assumeTrue("true".equals(System.getProperty("aws.disableEc2Metadata")));
        String stream = kinesis.newStream(1);
        Map<String, Object> settings = kinesis.settings(stream);
        settings.remove("accessKeyId");
        settings.remove("secretAccessKey");

        try (Destination destination = TestKinesis.open(settings)) {
            List<Outcome> outcomes = destination.deliver(List.of(TestEvents.track("m-1", "u1")))
                    .toCompletableFuture().join();

            assertThat(outcomes).singleElement().isInstanceOf(Outcome.Retryable.class);
            assertUnhealthyNaming(destination.health(), stream);
            assertThat(destination.health().message()).containsIgnoringCase("credentials");
        }
    }

    static void assertUnhealthyNaming(Health health, String stream) {
        assertThat(health.status()).isEqualTo(Health.Status.UNHEALTHY);
        assertThat(health.message()).contains(stream).contains("us-east-1")
                .doesNotContain(TestKinesis.SECRET);
    }
}
