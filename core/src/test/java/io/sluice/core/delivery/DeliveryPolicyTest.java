package io.sluice.core.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DeliveryPolicyTest {

    static long seconds(long n) {
        return Duration.ofSeconds(n).toNanos();
    }

    @Test
    void backoffDoublesPerAttemptUpToItsCap() {
        DeliveryPolicy policy = DeliveryPolicy.defaults().withBackoff(Duration.ofSeconds(1), Duration.ofSeconds(5));
        assertThat(policy.backoffNanos(1)).isEqualTo(seconds(1));
        assertThat(policy.backoffNanos(2)).isEqualTo(seconds(2));
        assertThat(policy.backoffNanos(3)).isEqualTo(seconds(4));
        assertThat(policy.backoffNanos(4)).isEqualTo(seconds(5));
        assertThat(policy.backoffNanos(64)).isEqualTo(seconds(5));
        assertThat(policy.backoffNanos(Integer.MAX_VALUE)).isEqualTo(seconds(5));
    }

    /** 10 s doubled 30 times passes Long.MAX_VALUE nanoseconds: the delay was negative. */
    @Test
    void aLargeInitialBackoffNeverOverflows() {
        DeliveryPolicy policy = DeliveryPolicy.defaults().withBackoff(Duration.ofSeconds(10), Duration.ofMinutes(10));
        for (int attempt = 1; attempt <= 100; attempt++) {
            assertThat(policy.backoffNanos(attempt)).as("attempt " + attempt)
                    .isBetween(seconds(10), Duration.ofMinutes(10).toNanos());
        }
        assertThat(policy.backoffNanos(31)).isEqualTo(Duration.ofMinutes(10).toNanos());
        assertThat(policy.backoffNanos(Integer.MAX_VALUE)).isEqualTo(Duration.ofMinutes(10).toNanos());
    }

    @Test
    void noBackoffStaysNone() {
        DeliveryPolicy policy = DeliveryPolicy.defaults().withBackoff(Duration.ZERO, Duration.ofSeconds(1));
        assertThat(policy.backoffNanos(1)).isZero();
        assertThat(policy.backoffNanos(100)).isZero();
    }
}
