package io.sluice.webhook;

import static io.sluice.webhook.TestEvents.open;
import static io.sluice.webhook.TestEvents.settings;
import static io.sluice.webhook.TestEvents.text;
import static io.sluice.webhook.TestEvents.track;
import static io.sluice.webhook.TestEvents.tracks;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.spi.Destination;
import io.sluice.spi.Outcome;
import io.sluice.spi.event.Event;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The webhook against a real HTTP server on 127.0.0.1 that checks every signature itself. */
class WebhookDeliveryTest {

    static final String SHARED_SECRET = "whsec-7f3a9c2e1b";

    private LocalReceiver receiver;
    private Destination destination;

    @BeforeEach
    void start() {
        receiver = LocalReceiver.start(SHARED_SECRET);
    }

    @AfterEach
    void stop() {
        if (destination != null) {
            destination.close();
        }
        receiver.close();
    }

    private Destination signed(Object... more) {
        Object[] all = new Object[more.length + 2];
        all[0] = "sharedSecret";
        all[1] = SHARED_SECRET;
        System.arraycopy(more, 0, all, 2, more.length);
        destination = open(settings(receiver.url() + "?token=url-token-123", all));
        return destination;
    }

    private static List<Outcome> deliver(Destination destination, List<Event> events) throws Exception {
        return destination.deliver(events).toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @Test
    void eachCallIsPostedAloneAsTheNormalisedJsonWithASignatureTheReceiverAccepts() throws Exception {
        signed("headers", Map.of("Authorization", "Bearer hook-token"));
        Event event = track("m-1");

        assertThat(destination.limits().maxEvents()).as("batching is off by default").isEqualTo(1);
        assertThat(deliver(destination, List.of(event))).containsExactly(Outcome.delivered());

        assertThat(receiver.badSignatures()).isZero();
        LocalReceiver.Request request = receiver.accepted().get(0);
        assertThat(text(request.body())).isEqualTo(event.jsonText());
        assertThat(request.header("Content-Type")).isEqualTo("application/json");
        assertThat(request.header("Authorization")).isEqualTo("Bearer hook-token");
        assertThat(request.header("X-Signature")).matches("[0-9a-f]{40}");
    }

    @Test
    void aSignatureUnderAnotherSecretIsRefusedByTheReceiverAndTheEventsAreKept() throws Exception {
        destination = open(settings(receiver.url().toString(), "sharedSecret", "not-the-receivers-secret"));

        List<Outcome> outcomes = deliver(destination, List.of(track("m-1")));

        assertThat(receiver.badSignatures()).isEqualTo(1);
        assertThat(outcomes.get(0)).isInstanceOf(Outcome.Retryable.class);
        assertThat(destination.health().isHealthy()).isFalse();
        assertThat(destination.health().message()).contains("HTTP 401", "/hooks/segment")
                .doesNotContain("not-the-receivers-secret");
    }

    @Test
    void withBatchingACallsArrayGoesOutInOneSignedRequest() throws Exception {
        signed("batching", true);
        List<Event> events = tracks("b", 3);

        assertThat(deliver(destination, events)).containsOnly(Outcome.delivered()).hasSize(3);

        assertThat(receiver.badSignatures()).isZero();
        assertThat(receiver.accepted()).hasSize(1);
        byte[] body = receiver.accepted().get(0).body();
        assertThat(text(body)).isEqualTo("[" + events.get(0).jsonText() + "," + events.get(1).jsonText() + ","
                + events.get(2).jsonText() + "]");
        assertThat(destination.limits().maxEvents()).isEqualTo(WebhookDestination.MAX_BATCH_EVENTS);
        assertThat(destination.limits().maxBytes()).isEqualTo(WebhookDestination.MAX_BODY_BYTES);
    }

    @ParameterizedTest(name = "HTTP {0} is {1}")
    @CsvSource({
            "200, Delivered", "201, Delivered", "204, Delivered",
            "408, Retryable", "429, Retryable", "500, Retryable", "502, Retryable", "503, Retryable",
            "400, Rejected", "409, Rejected", "410, Rejected", "413, Rejected", "422, Rejected",
            "301, Rejected"})
    void statusesMapToOutcomes(int status, String kind) throws Exception {
        signed();
        receiver.answer(1, status, Map.of());

        Outcome outcome = deliver(destination, List.of(track("s-" + status))).get(0);

        assertThat(outcome.getClass().getSimpleName()).isEqualTo(kind);
        if (!(outcome instanceof Outcome.Delivered)) {
            assertThat(outcome.toString()).contains("HTTP " + status, "/hooks/segment").doesNotContain("url-token-123");
        }
        assertThat(destination.health().isHealthy()).as("only 401, 403 and 404 are about the configuration").isTrue();
    }

    @ParameterizedTest(name = "HTTP {0}")
    @ValueSource(ints = {401, 403, 404})
    void aRefusedConfigurationKeepsTheEventsAndMarksTheDestinationUnhealthyUntilItIsAccepted(int status) throws Exception {
        signed();
        receiver.answer(1, status, Map.of());

        assertThat(deliver(destination, List.of(track("c-1"))).get(0)).isInstanceOf(Outcome.Retryable.class);
        assertThat(destination.health().isHealthy()).isFalse();
        assertThat(destination.health().message()).contains("HTTP " + status, "http://127.0.0.1:", "/hooks/segment")
                .doesNotContain("url-token-123");

        assertThat(deliver(destination, List.of(track("c-1"))).get(0)).isInstanceOf(Outcome.Delivered.class);
        assertThat(destination.health().isHealthy()).isTrue();
    }

    @Test
    void retryAfterIsHandedToTheEngineInSecondsOrAsADate() throws Exception {
        signed();
        receiver.answer(1, 429, Map.of("Retry-After", "7"));
        String in90Seconds = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(90));
        receiver.answer(1, 503, Map.of("Retry-After", in90Seconds));

        Outcome seconds = deliver(destination, List.of(track("r-1"))).get(0);
        Outcome date = deliver(destination, List.of(track("r-2"))).get(0);

        assertThat(seconds).isInstanceOfSatisfying(Outcome.Retryable.class,
                r -> assertThat(r.retryAfter()).isEqualTo(Duration.ofSeconds(7)));
        assertThat(date).isInstanceOfSatisfying(Outcome.Retryable.class,
                r -> assertThat(r.retryAfter()).isBetween(Duration.ofSeconds(80), Duration.ofSeconds(90)));
    }

    @Test
    void aReceiverThatAnswersTooLateTimesOutRetryablyAndDeliverDidNotWait() throws Exception {
        signed("timeoutSeconds", 1);
        receiver.delay(1, Duration.ofSeconds(4));

        long start = System.nanoTime();
        CompletionStage<List<Outcome>> stage = destination.deliver(List.of(track("t-1")));
        long returnedAfterMillis = (System.nanoTime() - start) / 1_000_000;
        Outcome outcome = stage.toCompletableFuture().get(30, TimeUnit.SECONDS).get(0);
        long answeredAfterMillis = (System.nanoTime() - start) / 1_000_000;

        assertThat(outcome).isInstanceOfSatisfying(Outcome.Retryable.class,
                r -> assertThat(r.reason()).contains("did not answer within 1 s"));
        assertThat(returnedAfterMillis).as("deliver() returns before the answer").isLessThan(answeredAfterMillis);
        assertThat(answeredAfterMillis).as("the timeout, not the receiver's 4 s, ended the request").isLessThan(3_500);
    }

    @Test
    void aReceiverThatIsDownIsRetryable() throws Exception {
        signed();
        receiver.stop();

        Outcome outcome = deliver(destination, List.of(track("d-1"))).get(0);

        assertThat(outcome).isInstanceOfSatisfying(Outcome.Retryable.class,
                r -> assertThat(r.reason()).contains("cannot connect to http://127.0.0.1:"));
    }

    @Test
    void withSeveralUrlsACallIsDeliveredOnlyWhenEveryUrlAcceptedIt() throws Exception {
        try (LocalReceiver second = LocalReceiver.start(SHARED_SECRET)) {
            destination = open(settings(receiver.url() + ", " + second.url(), "sharedSecret", SHARED_SECRET));

            assertThat(deliver(destination, List.of(track("u-1"))).get(0)).isInstanceOf(Outcome.Delivered.class);
            assertThat(receiver.accepted()).hasSize(1);
            assertThat(second.accepted()).hasSize(1);

            second.answer(1, 500, Map.of("Retry-After", "3"));
            assertThat(deliver(destination, List.of(track("u-2"))).get(0)).isInstanceOfSatisfying(Outcome.Retryable.class,
                    r -> assertThat(r.retryAfter()).isEqualTo(Duration.ofSeconds(3)));
            assertThat(receiver.accepted()).as("the first URL accepted it; the retry sends it again").hasSize(2);

            second.answer(1, 422, Map.of());
            assertThat(deliver(destination, List.of(track("u-3"))).get(0)).isInstanceOfSatisfying(Outcome.Rejected.class,
                    r -> assertThat(r.reason()).contains("HTTP 422 from " + WebhookDestination.where(second.url())));

            receiver.answer(1, 503, Map.of());
            second.answer(1, 400, Map.of());
            assertThat(deliver(destination, List.of(track("u-4"))).get(0))
                    .as("a URL that may still accept it wins over one that refused it for good")
                    .isInstanceOf(Outcome.Retryable.class);
        }
    }
}
