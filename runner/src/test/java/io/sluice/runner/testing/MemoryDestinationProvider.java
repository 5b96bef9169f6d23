package io.sluice.runner.testing;

import io.sluice.spi.Destination;
import io.sluice.spi.DestinationProvider;
import io.sluice.spi.Health;
import io.sluice.spi.Outcome;
import io.sluice.spi.event.Event;
import io.sluice.spi.settings.Secret;
import io.sluice.spi.settings.Setting;
import io.sluice.spi.settings.Settings;
import io.sluice.spi.settings.SettingsSchema;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A destination that keeps events in memory, for tests: {@code mode} deliver (accept all), hang
 * (never answer, so buffers fill) or reject (refuse all for good); {@code healthy: false} reports
 * unhealthy. Instances are found by their {@code instance} setting.
 */
public final class MemoryDestinationProvider implements DestinationProvider {

    public static final String ID = "memory";
    public static final String INTEGRATION_NAME = "Memory";

    private static final Map<String, MemoryDestination> INSTANCES = new ConcurrentHashMap<>();
    /** What every destination of an instance name delivered: several nodes in one JVM share a name. */
    private static final Map<String, List<Event>> DELIVERED = new ConcurrentHashMap<>();

    private static final SettingsSchema SCHEMA = SettingsSchema.builder()
            .add(Setting.string("instance").required().description("Test handle for the instance."))
            .add(Setting.enumeration("mode", "deliver", "hang", "reject", "discard", "fail-open").defaultValue("deliver")
                    .description("How the destination answers; fail-open throws from open(), quoting apiKey."))
            .add(Setting.bool("healthy").defaultValue(true).description("What health() reports."))
            .add(Setting.secret("apiKey").optional().description("A secret that must never be shown."))
            .add(Setting.map("headers").sensitive().optional().description("Secret header values, as a webhook has."))
            .build();

    /** The destination created with {@code instance}, once the server has built it. */
    public static MemoryDestination instance(String instance) {
        return INSTANCES.get(instance);
    }

    /** Every event delivered by any destination created with {@code instance}, on any node in this JVM. */
    public static List<Event> deliveredTo(String instance) {
        return DELIVERED.computeIfAbsent(instance, i -> new CopyOnWriteArrayList<>());
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String integrationName() {
        return INTEGRATION_NAME;
    }

    @Override
    public String description() {
        return "Keeps events in memory (tests only).";
    }

    @Override
    public SettingsSchema settingsSchema() {
        return SCHEMA;
    }

    @Override
    public Destination create(Settings settings) {
        MemoryDestination destination = new MemoryDestination(settings.string("mode"), settings.bool("healthy"),
                settings.secret("apiKey").map(Secret::reveal).orElse(""), deliveredTo(settings.string("instance")));
        settings.secretMap("headers").forEach((k, v) -> destination.headers.put(k, v.reveal()));
        INSTANCES.put(settings.string("instance"), destination);
        return destination;
    }

    /** The in-memory destination. */
    public static final class MemoryDestination implements Destination {
        private final String mode;
        private final boolean healthy;
        private final List<Event> delivered = new CopyOnWriteArrayList<>();
        private final java.util.concurrent.atomic.AtomicLong discarded = new java.util.concurrent.atomic.AtomicLong();
        private final java.util.concurrent.atomic.AtomicLong requests = new java.util.concurrent.atomic.AtomicLong();
        private volatile boolean closed;

        private final String apiKey;
        /** The headers setting, revealed: what the plugin got. */
        public final Map<String, String> headers = new ConcurrentHashMap<>();

        private final List<Event> shared;

        MemoryDestination(String mode, boolean healthy, String apiKey, List<Event> shared) {
            this.shared = shared;
            this.mode = mode;
            this.healthy = healthy;
            this.apiKey = apiKey;
        }

        @Override
        public void open() {
            if (mode.equals("fail-open")) {
                // As a careless plugin might: the secret in the message.
                throw new IllegalStateException("cannot connect with key " + apiKey);
            }
        }

        public List<Event> delivered() {
            return delivered;
        }

        /** Events delivered in {@code discard} mode, which keeps only this count (for benchmarks). */
        public long discarded() {
            return discarded.get();
        }

        public boolean closed() {
            return closed;
        }

        /** Calls of {@code deliver}, in any mode. */
        public long requests() {
            return requests.get();
        }

        @Override
        public CompletionStage<List<Outcome>> deliver(List<Event> batch) {
            requests.incrementAndGet();
            return switch (mode) {
                case "hang" -> new CompletableFuture<>();
                case "discard" -> {
                    discarded.addAndGet(batch.size());
                    yield CompletableFuture.completedFuture(java.util.Collections.nCopies(batch.size(), (Outcome) Outcome.delivered()));
                }
                case "reject" -> CompletableFuture.completedFuture(
                        batch.stream().map(e -> (Outcome) Outcome.rejected("memory refuses " + e.messageId())).toList());
                default -> {
                    delivered.addAll(batch);
                    shared.addAll(batch);
                    yield CompletableFuture.completedFuture(batch.stream().map(e -> (Outcome) Outcome.delivered()).toList());
                }
            };
        }

        @Override
        public Health health() {
            return healthy ? Health.HEALTHY : Health.unhealthy("memory destination is switched off for the test");
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
