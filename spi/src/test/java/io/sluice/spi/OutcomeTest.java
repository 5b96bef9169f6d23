package io.sluice.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class OutcomeTest {

    @Test
    void aRetryableCarriesTheWaitTheServiceAskedFor() {
        assertThat(Outcome.retryable("throttled").retryAfter()).isEqualTo(Duration.ZERO);
        assertThat(new Outcome.Retryable("throttled").retryAfter()).isEqualTo(Duration.ZERO);
        assertThat(Outcome.retryable("429", Duration.ofSeconds(7)).retryAfter()).isEqualTo(Duration.ofSeconds(7));
        assertThatThrownBy(() -> Outcome.retryable("x", Duration.ofSeconds(-1))).hasMessageContaining("negative");
    }

    @Test
    void aContextNamedAloneLogsUnderItsNameAndDropsMetrics() {
        DestinationContext context = DestinationContext.named("orders");
        assertThat(context.instanceName()).isEqualTo("orders");
        assertThat(context.logger().getName()).isEqualTo("sluice.destination.orders");
        context.metrics().counter("calls_total", "calls").increment();
        context.metrics().histogram("request_seconds", "latency").observe(0.2);
    }
}
