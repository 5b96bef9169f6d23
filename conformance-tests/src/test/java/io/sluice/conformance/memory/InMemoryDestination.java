package io.sluice.conformance.memory;

import io.sluice.spi.BatchLimits;
import io.sluice.spi.Destination;
import io.sluice.spi.Health;
import io.sluice.spi.Outcome;
import io.sluice.spi.event.Event;
import io.sluice.spi.settings.Secret;
import io.sluice.spi.settings.Settings;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * A correct destination: one request per batch, events over the size limit rejected before the
 * request, the service's answer mapped to one outcome per event. The protected methods are the
 * seams the broken variants bend.
 */
public class InMemoryDestination implements Destination {

    public static final BatchLimits LIMITS = new BatchLimits(50, 256 * 1024);

    private static final System.Logger LOG = System.getLogger(InMemoryDestination.class.getName());

    protected final String targetName;
    protected final Secret token;
    protected final long maxEventBytes;
    private volatile InMemoryService service;
    /** What the service last said about the configuration; null once a request went through. */
    private volatile String configurationError;

    public InMemoryDestination(Settings settings) {
        this.targetName = settings.string(InMemoryProvider.TARGET.name());
        this.token = settings.secret(InMemoryProvider.API_TOKEN.name()).orElseThrow();
        this.maxEventBytes = settings.integer(InMemoryProvider.MAX_EVENT_BYTES.name());
    }

    @Override
    public void open() {
        service = InMemoryService.find(targetName).orElse(null);
        LOG.log(System.Logger.Level.DEBUG, "opened {0}: target {1}", this, service == null ? "missing" : "found");
    }

    @Override
    public BatchLimits limits() {
        return LIMITS;
    }

    @Override
    public CompletionStage<List<Outcome>> deliver(List<Event> batch) {
        Outcome[] outcomes = new Outcome[batch.size()];
        List<Integer> sent = new ArrayList<>();
        List<Event> sending = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            Event event = batch.get(i);
            long size = sizeOf(event);
            if (size > maxEventBytes) {
                outcomes[i] = tooLarge(event, size);
            } else {
                sent.add(i);
                sending.add(event);
            }
        }
        if (sending.isEmpty()) {
            return CompletableFuture.completedFuture(Arrays.asList(outcomes));
        }
        InMemoryService target = service;
        if (target == null) {
            sent.forEach(i -> outcomes[i] = Outcome.retryable("target " + targetName + " does not exist"));
            return CompletableFuture.completedFuture(Arrays.asList(outcomes));
        }
        return target.put(token.reveal(), encode(sending)).handle((sequence, error) -> {
            if (error == null) {
                configurationError = null;
            }
            for (int j = 0; j < sent.size(); j++) {
                Long stored = error == null ? sequence.get(recordOf(j, sent.size())) : null;
                outcomes[sent.get(j)] = error != null ? failure(unwrap(error))
                        : stored == null ? Outcome.retryable("the record was throttled")
                        : Outcome.delivered(Map.of("sequence", String.valueOf(stored)));
            }
            LOG.log(System.Logger.Level.DEBUG, "request of {0} event(s) to {1}: {2}", sent.size(), targetName,
                    error == null ? "stored" : unwrap(error).getMessage());
            return Arrays.asList(outcomes);
        });
    }

    /** The records of one request, in batch order. */
    protected List<byte[]> encode(List<Event> events) {
        List<byte[]> records = new ArrayList<>(events.size());
        for (Event event : events) {
            ByteBuffer json = event.json();
            byte[] bytes = new byte[json.remaining()];
            json.get(bytes);
            records.add(bytes);
        }
        return records;
    }

    /** Where the {@code j}th event sent is among the request's records, as {@link #encode} placed it. */
    protected int recordOf(int j, int records) {
        return j;
    }

    protected Outcome tooLarge(Event event, long size) {
        return Outcome.rejected("the event is " + size + " bytes; maxEventBytes is " + maxEventBytes);
    }

    protected Outcome failure(Throwable error) {
        if (error instanceof InMemoryService.ServiceException e) {
            if (e.configuration()) {
                configurationError = e.getMessage();
            }
            return e.retryable() ? Outcome.retryable(e.getMessage()) : Outcome.rejected(e.getMessage());
        }
        return Outcome.retryable(String.valueOf(error));
    }

    protected InMemoryService service() {
        return service;
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    @Override
    public Health health() {
        if (service == null) {
            return Health.unhealthy("target " + targetName + " does not exist");
        }
        String error = configurationError;
        return error == null ? Health.HEALTHY : Health.unhealthy("target " + targetName + " refuses us: " + error);
    }

    @Override
    public void close() {}

    @Override
    public String toString() {
        return getClass().getSimpleName() + "{target=" + targetName + "}";
    }
}
