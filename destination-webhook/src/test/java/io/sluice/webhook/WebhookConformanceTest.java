package io.sluice.webhook;

import io.sluice.conformance.Capability;
import io.sluice.conformance.DestinationConformanceTest;
import io.sluice.conformance.TestTarget;
import io.sluice.spi.DestinationProvider;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The conformance suite against the webhook with batching on, posting to a real local HTTP server
 * that checks every signature. The target's reader is what the receiver accepted.
 */
class WebhookConformanceTest extends DestinationConformanceTest {

    /** A request succeeds or fails as a whole, and a webhook keeps no order between requests in flight. */
    @Override
    protected boolean hasBehavior(Capability capability) {
        return switch (capability) {
            case PARTIAL_FAILURES -> false;
            default -> super.hasBehavior(capability);
        };
    }

    @Override
    protected DestinationProvider provider() {
        return new WebhookDestinationProvider();
    }

    @Override
    protected TestTarget createTarget() {
        // The suite swaps the shared secret for canaries of its own, so this receiver checks no signature:
        // WebhookDeliveryTest does, with a secret it knows.
        LocalReceiver receiver = LocalReceiver.start(null);
        return new TestTarget() {
            @Override
            public Map<String, Object> settings() {
                Map<String, Object> settings = new HashMap<>();
                settings.put("urls", receiver.url().toString());
                settings.put("sharedSecret", "conformance-shared-secret");
                settings.put("headers", Map.of("Authorization", "Bearer conformance-token"));
                settings.put("batching", true);
                settings.put("timeoutSeconds", 5);
                return settings;
            }

            @Override
            public List<byte[]> received() {
                return receiver.calls();
            }

            @Override
            public void injectRetryableFailures(int requests) {
                receiver.answer(requests, 503, Map.of());
            }

            @Override
            public void injectPermanentFailures(int requests) {
                receiver.answer(requests, 400, Map.of());
            }

            @Override
            public void injectConfigurationFailures(int requests) {
                receiver.answer(requests, 401, Map.of());
            }

            @Override
            public void delayResponses(int requests, Duration delay) {
                receiver.delay(requests, delay);
            }

            @Override
            public void close() {
                receiver.close();
            }
        };
    }
}
