package ${package};

import io.sluice.conformance.Capability;
import io.sluice.conformance.DestinationConformanceTest;
import io.sluice.conformance.TestTarget;
import io.sluice.spi.DestinationProvider;

/** Sluice's conformance suite against this plugin and a local endpoint: run it with mvn verify. */
class WebhookConformanceTest extends DestinationConformanceTest {

    @Override
    protected DestinationProvider provider() {
        return new WebhookDestinationProvider();
    }

    @Override
    protected TestTarget createTarget() throws Exception {
        return new LocalWebhook();
    }

    /** A webhook takes or refuses a request whole: it cannot fail some of its records. */
    @Override
    protected boolean hasBehavior(Capability capability) {
        return switch (capability) {
            case PARTIAL_FAILURES -> false;
            default -> true;
        };
    }
}
