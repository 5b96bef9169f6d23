package io.sluice.conformance.broken;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.conformance.memory.InMemoryDestination;
import io.sluice.conformance.memory.InMemoryProvider;
import io.sluice.core.spec.SpecJson;
import io.sluice.spi.BatchLimits;
import io.sluice.spi.Outcome;
import io.sluice.spi.event.Event;
import io.sluice.spi.settings.Secret;
import io.sluice.spi.settings.Setting;
import io.sluice.spi.settings.Settings;
import io.sluice.spi.settings.Validator;
import io.sluice.spi.settings.Validators;
import io.sluice.spi.settings.Violation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Destinations with one deliberate flaw each: the reference {@link InMemoryDestination} bent at
 * one seam. Each is the kind of bug a real plugin has.
 */
final class BrokenDestinations {

    private BrokenDestinations() {}

    /** Drops the 25th event it is handed, and reports it delivered. */
    static final class DropsAnEvent extends InMemoryDestination {
        private final AtomicInteger handed = new AtomicInteger();

        DropsAnEvent(Settings settings) {
            super(settings);
        }

        @Override
        public CompletionStage<List<Outcome>> deliver(List<Event> batch) {
            int first = handed.getAndAdd(batch.size());
            int dropped = 24 - first;
            return sendOnly(batch, i -> i != dropped, super::deliver, Outcome.delivered());
        }
    }

    /** Shows its token in {@code toString()}. */
    static final class LeaksSecretInToString extends InMemoryDestination {
        LeaksSecretInToString(Settings settings) {
            super(settings);
        }

        @Override
        public String toString() {
            return "InMemoryDestination{target=" + targetName + ", token=" + token.reveal() + "}";
        }
    }

    /** Logs its token at debug level when it opens. */
    static final class LogsSecret extends InMemoryDestination {
        private static final System.Logger LOG = System.getLogger(LogsSecret.class.getName());

        LogsSecret(Settings settings) {
            super(settings);
        }

        @Override
        public void open() {
            super.open();
            LOG.log(System.Logger.Level.DEBUG, "connecting to {0} with token {1}", targetName, token.reveal());
        }
    }

    /** Puts the request's authorization header in the reason it rejects an oversize event with. */
    static final class SecretInRejectionReason extends InMemoryDestination {
        SecretInRejectionReason(Settings settings) {
            super(settings);
        }

        @Override
        protected Outcome tooLarge(Event event, long size) {
            return Outcome.rejected("413 from target (Authorization: Bearer " + token.reveal() + "): " + size + " bytes");
        }
    }

    /** Re-encodes the JSON through ISO-8859-1: everything outside Latin-1 becomes '?'. */
    static final class MangledUnicode extends InMemoryDestination {
        MangledUnicode(Settings settings) {
            super(settings);
        }

        @Override
        protected List<byte[]> encode(List<Event> events) {
            return events.stream()
                    .map(e -> e.jsonText().getBytes(StandardCharsets.ISO_8859_1))
                    .toList();
        }
    }

    /** Re-serialises each event with a default ObjectMapper, which reads decimals as doubles. */
    static final class RoundsNumbers extends InMemoryDestination {
        private static final ObjectMapper PLAIN = new ObjectMapper();

        RoundsNumbers(Settings settings) {
            super(settings);
        }

        @Override
        protected List<byte[]> encode(List<Event> events) {
            return events.stream().map(e -> {
                try {
                    return PLAIN.writeValueAsBytes(PLAIN.readTree(e.jsonText()));
                } catch (IOException x) {
                    throw new UncheckedIOException(x);
                }
            }).toList();
        }
    }

    /** Leaves empty objects out of what it sends (as a NON_EMPTY serialiser does). */
    static final class OmitsEmptyObjects extends InMemoryDestination {
        OmitsEmptyObjects(Settings settings) {
            super(settings);
        }

        @Override
        protected List<byte[]> encode(List<Event> events) {
            return events.stream().map(e -> {
                try {
                    JsonNode tree = SpecJson.MAPPER.readTree(e.jsonText());
                    prune(tree);
                    return SpecJson.MAPPER.writeValueAsBytes(tree);
                } catch (IOException x) {
                    throw new UncheckedIOException(x);
                }
            }).toList();
        }

        private static void prune(JsonNode node) {
            if (node instanceof ObjectNode object) {
                Iterator<Map.Entry<String, JsonNode>> fields = object.properties().iterator();
                while (fields.hasNext()) {
                    JsonNode value = fields.next().getValue();
                    prune(value);
                    if (value.isObject() && value.isEmpty()) {
                        fields.remove();
                    }
                }
            }
        }
    }

    /** Reports a request the target failed as delivered. */
    static final class SwallowsError extends InMemoryDestination {
        SwallowsError(Settings settings) {
            super(settings);
        }

        @Override
        protected Outcome failure(Throwable error) {
            return Outcome.delivered();
        }
    }

    /** Drops an event over its size limit without a word, and reports it delivered. */
    static final class SwallowsOversizeEvent extends InMemoryDestination {
        SwallowsOversizeEvent(Settings settings) {
            super(settings);
        }

        @Override
        protected Outcome tooLarge(Event event, long size) {
            return Outcome.delivered();
        }
    }

    /** Completes the stage exceptionally when the target fails, instead of with Retryable outcomes. */
    static final class ThrowsOnServiceFailure extends InMemoryDestination {
        ThrowsOnServiceFailure(Settings settings) {
            super(settings);
        }

        @Override
        protected Outcome failure(Throwable error) {
            throw new IllegalStateException("request failed: " + error.getMessage(), error);
        }
    }

    /** Treats throttling as permanent: the events are dead-lettered instead of retried. */
    static final class RejectsRetryableFailure extends InMemoryDestination {
        RejectsRetryableFailure(Settings settings) {
            super(settings);
        }

        @Override
        protected Outcome failure(Throwable error) {
            return Outcome.rejected("failed: " + error.getMessage());
        }
    }

    /**
     * De-duplicates on messageId before the request succeeds: an event it has tried once is
     * reported delivered when the engine retries it, but never sent again.
     */
    static final class SkipsRetriedEvents extends InMemoryDestination {
        private final Set<String> attempted = ConcurrentHashMap.newKeySet();

        SkipsRetriedEvents(Settings settings) {
            super(settings);
        }

        @Override
        public CompletionStage<List<Outcome>> deliver(List<Event> batch) {
            List<Boolean> fresh = batch.stream().map(e -> attempted.add(e.messageId())).toList();
            return sendOnly(batch, fresh::get, super::deliver, Outcome.delivered());
        }
    }

    /** Returns one outcome too few for a batch of two or more. */
    static final class WrongOutcomeCount extends InMemoryDestination {
        WrongOutcomeCount(Settings settings) {
            super(settings);
        }

        @Override
        public CompletionStage<List<Outcome>> deliver(List<Event> batch) {
            return super.deliver(batch).thenApply(o -> o.size() >= 2 ? o.subList(0, o.size() - 1) : o);
        }
    }

    /** Sends a batch's records in reverse order. */
    static final class ReordersBatch extends InMemoryDestination {
        ReordersBatch(Settings settings) {
            super(settings);
        }

        @Override
        protected List<byte[]> encode(List<Event> events) {
            List<byte[]> records = new ArrayList<>(super.encode(events));
            Collections.reverse(records);
            return records;
        }

        /** It does read the service's answer back in its own order: only the order of storage is off. */
        @Override
        protected int recordOf(int j, int records) {
            return records - 1 - j;
        }
    }

    /** Hands back the right outcomes one place off: outcome i is event i+1's. */
    static final class RotatesOutcomes extends InMemoryDestination {
        RotatesOutcomes(Settings settings) {
            super(settings);
        }

        @Override
        public CompletionStage<List<Outcome>> deliver(List<Event> batch) {
            return super.deliver(batch).thenApply(outcomes -> {
                List<Outcome> rotated = new ArrayList<>(outcomes);
                Collections.rotate(rotated, 1);
                return rotated;
            });
        }
    }

    /** Treats every refusal as worth retrying, a 400 about the events included. */
    static final class RetriesPermanentFailure extends InMemoryDestination {
        RetriesPermanentFailure(Settings settings) {
            super(settings);
        }

        @Override
        protected Outcome failure(Throwable error) {
            Outcome outcome = super.failure(error);
            return outcome instanceof Outcome.Rejected r ? Outcome.retryable(r.reason()) : outcome;
        }
    }

    /** Keeps the events when the target refuses its configuration, but never says so. */
    static final class SilentAboutConfiguration extends InMemoryDestination {
        SilentAboutConfiguration(Settings settings) {
            super(settings);
        }

        @Override
        public io.sluice.spi.Health health() {
            return io.sluice.spi.Health.HEALTHY;
        }
    }

    /** Waits for the target's answer inside deliver(), stalling the engine's thread. */
    static final class BlocksInDeliver extends InMemoryDestination {
        BlocksInDeliver(Settings settings) {
            super(settings);
        }

        @Override
        public CompletionStage<List<Outcome>> deliver(List<Event> batch) {
            return CompletableFuture.completedFuture(super.deliver(batch).toCompletableFuture().join());
        }
    }

    /** Declares twice the bytes per request its service accepts. */
    static final class OverstatesByteLimit extends InMemoryDestination {
        OverstatesByteLimit(Settings settings) {
            super(settings);
        }

        @Override
        public BatchLimits limits() {
            return new BatchLimits(LIMITS.maxEvents(), LIMITS.maxBytes() * 2);
        }
    }

    /**
     * Acknowledges events at once and writes them 100 ms later from a buffer (retrying on its own),
     * but neither flushes that buffer nor writes it out on close: whatever is still buffered then is lost.
     */
    static final class LosesBufferOnClose extends InMemoryDestination {
        private final List<byte[]> buffer = new ArrayList<>();
        private final ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "buffered-writer");
            t.setDaemon(true);
            return t;
        });

        LosesBufferOnClose(Settings settings) {
            super(settings);
        }

        @Override
        public CompletionStage<List<Outcome>> deliver(List<Event> batch) {
            List<Outcome> outcomes = new ArrayList<>();
            for (Event event : batch) {
                if (sizeOf(event) > maxEventBytes) {
                    outcomes.add(tooLarge(event, sizeOf(event)));
                } else {
                    synchronized (buffer) {
                        buffer.addAll(encode(List.of(event)));
                    }
                    outcomes.add(Outcome.delivered());
                }
            }
            writer.schedule(this::writeBuffered, 100, TimeUnit.MILLISECONDS);
            return CompletableFuture.completedFuture(outcomes);
        }

        private void writeBuffered() {
            List<byte[]> records = new ArrayList<>();
            long bytes = 0;
            synchronized (buffer) {
                for (byte[] record : buffer) {
                    if (records.size() == LIMITS.maxEvents() || bytes + record.length > LIMITS.maxBytes()) {
                        break;
                    }
                    records.add(record);
                    bytes += record.length;
                }
            }
            if (records.isEmpty() || service() == null) {
                return;
            }
            try {
                service().put(token.reveal(), records).join();
                synchronized (buffer) {
                    buffer.subList(0, records.size()).clear();
                }
            } catch (RuntimeException e) {
                // try again below
            }
            synchronized (buffer) {
                if (!buffer.isEmpty()) {
                    writer.schedule(this::writeBuffered, 50, TimeUnit.MILLISECONDS);
                }
            }
        }

        @Override
        public void close() {
            writer.shutdownNow();
        }
    }

    /** Reads the event's integrations object again, and drops (as delivered) every event with "All": false. */
    static final class RefiltersIntegrations extends InMemoryDestination {
        RefiltersIntegrations(Settings settings) {
            super(settings);
        }

        @Override
        public CompletionStage<List<Outcome>> deliver(List<Event> batch) {
            List<Boolean> keep = batch.stream().map(e -> {
                try {
                    return SpecJson.MAPPER.readTree(e.jsonText()).path("integrations").path("All").asBoolean(true);
                } catch (IOException x) {
                    throw new UncheckedIOException(x);
                }
            }).toList();
            return sendOnly(batch, keep::get, super::deliver, Outcome.delivered());
        }
    }

    /** A provider no {@code META-INF/services} file lists. */
    static final class UnlistedProvider extends InMemoryProvider {
        @Override
        public String id() {
            return "unlisted";
        }
    }

    // ---------------------------------------------------------------- broken settings

    /** A setting without a description. */
    static final Setting UNDESCRIBED = Setting.integer("timeoutMs").defaultValue(1000);

    /** A credential declared as plain text. */
    static final Setting TOKEN_AS_STRING = Setting.string("webhookToken").optional()
            .description("Token of the webhook that announces deliveries.");

    /** A default its own rule refuses (defaults are type-checked, not validated). */
    static final Setting DEFAULT_BREAKS_RULE = Setting.integer("maxRetries")
            .validator(Validators.between(0, 10)).defaultValue(50)
            .description("Retries per request.");

    /** A validator that exports a pattern to forms but accepts anything. */
    static final Setting PATTERN_NOT_ENFORCED = Setting.string("region").optional()
            .validator(new Validator() {
                @Override
                public Optional<Violation> check(Object value) {
                    return Optional.empty();
                }

                @Override
                public Map<String, Object> schemaKeywords() {
                    return Map.of("pattern", "^[a-z]{2}-[a-z]+-[0-9]$");
                }
            })
            .description("The region of the target, e.g. eu-west-1.");

    /** A secret whose validator repeats the value it refuses. */
    static final Setting SECRET_ECHOED_BY_RULE = Setting.secret("apiToken").required()
            .validator(value -> {
                String text = ((Secret) value).reveal();
                return text.length() >= 12 ? Optional.empty()
                        : Optional.of(new Violation("length", "'" + text + "' is shorter than 12 characters"));
            })
            .description("The token the target expects.");

    // ---------------------------------------------------------------- helpers

    /**
     * Sends the events {@code send} picks through {@code deliver}, and answers {@code instead} for
     * the others without sending them: the shape of every "reports delivered but did not send" bug.
     */
    static CompletionStage<List<Outcome>> sendOnly(List<Event> batch, Predicate<Integer> send,
                                                   java.util.function.Function<List<Event>, CompletionStage<List<Outcome>>> deliver,
                                                   Outcome instead) {
        List<Event> sent = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            if (send.test(i)) {
                sent.add(batch.get(i));
            }
        }
        if (sent.size() == batch.size()) {
            return deliver.apply(batch);
        }
        CompletionStage<List<Outcome>> stage = sent.isEmpty()
                ? CompletableFuture.completedFuture(List.of())
                : deliver.apply(sent);
        return stage.thenApply(outcomes -> {
            List<Outcome> all = new ArrayList<>();
            Iterator<Outcome> it = outcomes.iterator();
            for (int i = 0; i < batch.size(); i++) {
                all.add(send.test(i) ? it.next() : instead);
            }
            return all;
        });
    }
}
