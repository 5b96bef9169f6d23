package io.sluice.conformance;

import io.sluice.conformance.memory.InMemoryProvider;
import io.sluice.conformance.memory.InMemoryTarget;
import io.sluice.spi.DestinationProvider;
import java.time.Duration;

/** The reference plugin passes every check: what a plugin's own conformance test looks like. */
class InMemoryConformanceTest extends DestinationConformanceTest {

    @Override
    protected DestinationProvider provider() {
        return new InMemoryProvider();
    }

    @Override
    protected TestTarget createTarget() {
        return new InMemoryTarget();
    }

    @Override
    protected boolean hasBehavior(Capability capability) {
        return switch (capability) {
            // The reference has every behaviour; a plugin lists here what it lacks, e.g.
            // case ORDERING_PER_PARTITION -> false;
            default -> true;
        };
    }

    @Override
    protected Duration timeout() {
        return Duration.ofSeconds(10);
    }
}
