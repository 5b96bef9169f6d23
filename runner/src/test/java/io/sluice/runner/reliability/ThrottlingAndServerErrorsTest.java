package io.sluice.runner.reliability;

import io.sluice.kinesis.local.Kinesalite;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.runner.testing.TestSluice;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * For a minute ({@code -Dsluice.reliability.faultWindowSeconds=N}, default 60) Kinesis throttles:
 * every 5th PutRecords is answered 500, and in the others about 30% of the entries fail with
 * {@code ProvisionedThroughputExceededException} or {@code InternalFailure}. Everything accepted is
 * delivered, and only the failed entries are sent again: every entry reaches Kinesis exactly once,
 * and each entry is sent exactly once more than it failed.
 */
class ThrottlingAndServerErrorsTest {

    static final String KEY = "throttle-write-key";

    @TempDir
    Path dir;

    @Test
    @Timeout(240)
    void everythingIsDeliveredAndOnlyFailedEntriesAreResent() throws Exception {
        int windowSeconds = Figures.intProperty("sluice.reliability.faultWindowSeconds", 60);
        long seed = Figures.intProperty("sluice.reliability.seed", 20240601);
        try (Kinesalite kinesis = Kinesalite.start()) {
            kinesis.createStream("events", 2);
            try (FaultInjectingKinesis faulty = FaultInjectingKinesis.inFrontOf(kinesis.endpoint(), seed);
                 KinesisConsumer consumer = new KinesisConsumer(kinesis.endpoint(), "events");
                 TestSluice sluice = TestSluice.start(dir, KinesisRestartTest.config(faulty.endpoint())
                         .replace(KinesisRestartTest.KEY, KEY))) {
                faulty.faultWindow(Duration.ofSeconds(windowSeconds), 0.3, 5);
                LoadGenerator load = new LoadGenerator(() -> URI.create(sluice.server().baseUrl()), KEY, "throttle",
                        2, 20, Long.MAX_VALUE, Duration.ofMillis(150)).start();
                try {
                    Waits.until(Duration.ofSeconds(windowSeconds), () -> !faulty.inFaultWindow());
                    load.stop();
                    KinesisConsumer.ReadBack read = consumer.readBack(load.accepted(), Duration.ofSeconds(120));

                    long forwardedTwice = faulty.forwarded.values().stream().filter(n -> n > 1).count();
                    long failedIds = new HashSet<String>() {{
                        addAll(faulty.failedEntries.keySet());
                        addAll(faulty.failedRequests.keySet());
                    }}.size();
                    long resentAsOwed = faulty.sent.entrySet().stream().filter(e -> e.getValue()
                            == faulty.failedEntries.getOrDefault(e.getKey(), 0)
                            + faulty.failedRequests.getOrDefault(e.getKey(), 0) + 1).count();
                    long sentEntries = faulty.sent.values().stream().mapToLong(Integer::longValue).sum();
                    long maxAttempts = faulty.sent.values().stream().mapToLong(Integer::longValue).max().orElse(0);
                    Figures figures = Figures.of("throttling-and-5xx", load, read)
                            .put("faultWindowSeconds", windowSeconds)
                            .put("putRecordsRequests", faulty.putRecords.get())
                            .put("requestsAnswered500", faulty.answered500.get())
                            .put("requestsWithFailedEntries", faulty.requestsWithFailedEntries.get())
                            .put("entriesThrottled", faulty.throttledEntries.get())
                            .put("entriesInternalFailure", faulty.internalFailureEntries.get())
                            .put("entriesSent", sentEntries)
                            .put("entriesResent", sentEntries - faulty.sent.size())
                            .put("eventsThatFailedAtLeastOnce", failedIds)
                            .put("maxAttemptsOfOneEvent", maxAttempts)
                            .put("forwardedMoreThanOnce", forwardedTwice)
                            .put("sentExactlyFailuresPlusOne", resentAsOwed + "/" + faulty.sent.size())
                            .print();
                    assertThat(read.lost()).as("accepted but never delivered").isEmpty();
                    assertThat(read.caughtUp()).isTrue();
                    assertThat(read.accepted()).isNotEmpty();
                    assertThat(load.unexpected()).isEmpty();
                    assertThat(faulty.failures()).as("faults were injected").isPositive();
                    assertThat(faulty.throttledEntries.get()).isPositive();
                    assertThat(faulty.answered500.get()).isPositive();
                    // Only the failed entries are sent again: nothing that reached Kinesis is sent twice,
                    // and every entry is sent once per failure, plus the time it got through.
                    assertThat(forwardedTwice).as("entries sent again after Kinesis stored them").isZero();
                    assertThat(resentAsOwed).as("entries sent exactly failures + 1 times").isEqualTo(faulty.sent.size());
                    assertThat(figures.get("duplicated")).isZero();
                } finally {
                    load.stop();
                }
            }
        }
    }
}
