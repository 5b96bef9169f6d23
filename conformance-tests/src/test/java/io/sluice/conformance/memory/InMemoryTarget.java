package io.sluice.conformance.memory;

import io.sluice.conformance.TestTarget;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.time.Duration;
import java.util.UUID;

/** A fresh {@link InMemoryService} store per check. */
public final class InMemoryTarget implements TestTarget {

    private final InMemoryService service = InMemoryService.create(InMemoryDestination.LIMITS.maxBytes());

    @Override
    public Map<String, Object> settings() {
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("target", service.name());
        settings.put("apiToken", "token-" + UUID.randomUUID());
        return settings;
    }

    @Override
    public List<byte[]> received() {
        return service.records();
    }

    @Override
    public void injectRetryableFailures(int requests) {
        service.failNext(requests);
    }

    @Override
    public void injectRecordFailures(Set<String> messageIds) {
        service.failRecords(messageIds);
    }

    @Override
    public void injectPermanentFailures(int requests) {
        service.refuseNext(requests);
    }

    @Override
    public void injectConfigurationFailures(int requests) {
        service.forbidNext(requests);
    }

    @Override
    public void delayResponses(int requests, Duration delay) {
        service.delayNext(requests, delay);
    }

    @Override
    public void close() {
        service.remove();
    }
}
