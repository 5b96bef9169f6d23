package io.sluice.runner.routing;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.sluice.core.spool.Backlog;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A destination's log under failure: a line per change of state and a summary per interval, never a line per event. */
class DeliveryLogTest {

    private static final Instant NOW = Instant.parse("2026-01-01T10:00:00Z");
    private static final Duration INTERVAL = Duration.ofSeconds(10);

    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(DeliveryLog.class);
    private final AtomicReference<Backlog> backlog = new AtomicReference<>(Backlog.EMPTY);
    private final DeliveryLog log = new DeliveryLog("web/kinesis", backlog::get, Clock.fixed(NOW, ZoneOffset.UTC));

    @BeforeEach
    void capture() {
        lines.start();
        logger.addAppender(lines);
    }

    @AfterEach
    void release() {
        logger.detachAppender(lines);
    }

    private List<String> messages() {
        return lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void anOutageIsTwoStateLinesAndOneSummaryPerIntervalWhateverTheNumberOfEvents() {
        for (int i = 0; i < 1_000; i++) {
            log.batch(0, 500, 0, "connection reset");
        }
        backlog.set(new Backlog(500_000, 200_000_000, Optional.of(NOW.minusSeconds(40))));
        log.summarise(INTERVAL);
        log.summarise(INTERVAL);
        log.batch(500, 0, 0, null);

        assertThat(messages()).containsExactly(
                "web/kinesis: failing: connection reset",
                "web/kinesis: last 10 s: 0 delivered, 500000 to retry, 0 dead-lettered; backlog 500000 events, "
                        + "200000000 bytes, oldest 40 s; latest reason: connection reset",
                "web/kinesis: last 10 s: 0 delivered, 0 to retry, 0 dead-lettered; backlog 500000 events, "
                        + "200000000 bytes, oldest 40 s",
                "web/kinesis: healthy again after 0 s");
    }

    @Test
    void aBusyHealthyDestinationWritesNothing() {
        for (int i = 0; i < 100; i++) {
            log.batch(500, 0, 0, null);
        }
        backlog.set(new Backlog(4_000, 6_000_000, Optional.of(NOW.minusMillis(300))));
        log.summarise(INTERVAL);
        assertThat(messages()).isEmpty();
    }

    @Test
    void partialThrottlingChangesNoStateAndShowsInTheSummary() {
        log.batch(400, 100, 0, "ProvisionedThroughputExceededException");
        log.batch(450, 50, 0, "ProvisionedThroughputExceededException");
        log.summarise(INTERVAL);
        assertThat(messages()).singleElement().asString()
                .startsWith("web/kinesis: last 10 s: 850 delivered, 150 to retry, 0 dead-lettered")
                .endsWith("latest reason: ProvisionedThroughputExceededException");
    }

    @Test
    void aFullBacklogIsLoggedOnceEachWay() {
        log.backlogFull(true, 1_000, "dead-lettered");
        log.backlogFull(true, 1_000, "dead-lettered");
        log.deadLettered(1, "backlog_full");
        log.backlogFull(false, 1_000, "dead-lettered");
        log.backlogFull(false, 1_000, "dead-lettered");
        assertThat(messages()).containsExactly(
                "web/kinesis: backlog reached its bound of 1000 bytes; new events: dead-lettered",
                "web/kinesis: backlog has room again");
    }

    @Test
    void failingIsToldUntilABatchIsDeliveredWhole() {
        assertThat(log.failing()).isEmpty();
        log.batch(3, 2, 0, "throttled"); // partly delivered: not failing
        assertThat(log.failing()).isEmpty();

        log.batch(0, 500, 0, "connection reset");
        log.batch(0, 500, 0, "connection refused");
        assertThat(log.failing()).hasValue("deliveries failing for 0 s: connection refused");

        log.batch(500, 0, 0, null);
        assertThat(log.failing()).isEmpty();
    }
}
