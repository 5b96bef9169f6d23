package io.sluice.kafka;

import io.sluice.spi.BatchLimits;
import io.sluice.spi.Destination;
import io.sluice.spi.Health;
import io.sluice.spi.Outcome;
import io.sluice.spi.event.Event;
import io.sluice.spi.settings.Secret;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * Writes each event of a batch as one record of the topic and reports each record's
 * acknowledgement as its outcome. The engine owns batching and retries; the producer only retries
 * within its delivery timeout, which keeps records in order without duplicates (idempotence).
 */
final class KafkaDestination implements Destination {

    /** The engine's batches; the producer regroups records per partition anyway. */
    private static final BatchLimits LIMITS = new BatchLimits(500, 4L * 1024 * 1024);
    private static final int MAX_REASON_LENGTH = 500;

    private final KafkaSettings settings;
    private final Producer<byte[], byte[]> producer;
    private final System.Logger log;
    private final List<Header> headers;
    /** send() can wait for metadata; it runs here so that deliver() never does. */
    private final ExecutorService sender;
    private final AtomicReference<Health> health = new AtomicReference<>(Health.HEALTHY);

    KafkaDestination(KafkaSettings settings, Producer<byte[], byte[]> producer, System.Logger log, String instance) {
        this.settings = settings;
        this.producer = producer;
        this.log = log;
        this.headers = settings.headers().entrySet().stream()
                .<Header>map(h -> new RecordHeader(h.getKey(), h.getValue().getBytes(StandardCharsets.UTF_8)))
                .toList();
        this.sender = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "sluice-kafka-" + instance);
            t.setDaemon(true);
            return t;
        });
    }

    /** Checks that the topic is there and these credentials reach it; never throws. */
    @Override
    public void open() {
        try {
            producer.partitionsFor(settings.topic());
            healthy();
        } catch (RuntimeException e) {
            if (ErrorClass.of(e) == ErrorClass.CONFIGURATION) {
                unhealthy(redact(ErrorClass.describe(e)));
            } else {
                log.log(System.Logger.Level.WARNING, settings.target() + ": startup check failed; deliveries will try "
                        + "again: " + redact(ErrorClass.describe(e)));
            }
        }
    }

    @Override
    public BatchLimits limits() {
        return LIMITS;
    }

    /** Value, key and headers: about what the record takes in a produce request. */
    @Override
    public long sizeOf(Event event) {
        return event.jsonLength() + key(event).length + headers.stream()
                .mapToLong(h -> h.key().length() + h.value().length).sum();
    }

    @Override
    public CompletionStage<List<Outcome>> deliver(List<Event> batch) {
        Outcome[] outcomes = new Outcome[batch.size()];
        CompletableFuture<List<Outcome>> done = new CompletableFuture<>();
        AtomicInteger pending = new AtomicInteger(batch.size());
        try {
            sender.execute(() -> {
                for (int i = 0; i < batch.size(); i++) {
                    int index = i;
                    Event event = batch.get(i);
                    try {
                        producer.send(record(event), (metadata, failure) -> {
                            outcomes[index] = failure == null ? delivered(metadata) : failed(failure);
                            if (pending.decrementAndGet() == 0) {
                                done.complete(Arrays.asList(outcomes));
                            }
                        });
                    } catch (RuntimeException e) {
                        // send() throws for what never left: a closed producer, a record it cannot serialise.
                        outcomes[index] = failed(e);
                        if (pending.decrementAndGet() == 0) {
                            done.complete(Arrays.asList(outcomes));
                        }
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            Arrays.fill(outcomes, Outcome.retryable("the destination is closing"));
            return CompletableFuture.completedFuture(Arrays.asList(outcomes));
        }
        return done;
    }

    private ProducerRecord<byte[], byte[]> record(Event event) {
        byte[] value = new byte[event.jsonLength()];
        event.json().get(value);
        return new ProducerRecord<>(settings.topic(), null, key(event), value, headers);
    }

    private byte[] key(Event event) {
        String key = settings.partitionByMessageId()
                ? event.messageId()
                : event.userId().or(event::anonymousId).orElse(event.messageId());
        return key.getBytes(StandardCharsets.UTF_8);
    }

    private Outcome delivered(RecordMetadata metadata) {
        healthy();
        return Outcome.delivered(Map.of("partition", Integer.toString(metadata.partition()),
                "offset", Long.toString(metadata.offset())));
    }

    private Outcome failed(Exception failure) {
        ErrorClass error = ErrorClass.of(failure);
        String reason = redact(ErrorClass.describe(failure));
        return switch (error) {
            case TOO_LARGE -> Outcome.rejected(reason);
            case CONFIGURATION -> {
                unhealthy(reason);
                yield Outcome.retryable("configuration error: " + reason);
            }
            case RETRYABLE -> Outcome.retryable(reason);
        };
    }

    @Override
    public Health health() {
        return health.get();
    }

    private void healthy() {
        if (health.get().isHealthy()) {
            return;
        }
        if (!health.getAndSet(Health.HEALTHY).isHealthy()) {
            log.log(System.Logger.Level.INFO, settings.target() + " is written to again");
        }
    }

    private void unhealthy(String reason) {
        String sentence = reason.endsWith(".") ? reason : reason + ".";
        Health now = Health.unhealthy(settings.target() + " cannot be written: " + sentence
                + " Events are kept and retried until this is fixed.");
        if (!now.equals(health.getAndSet(now))) {
            log.log(System.Logger.Level.WARNING, now.message());
        }
    }

    /** Client messages can quote configuration; never let the password through, and keep it short. */
    private String redact(String text) {
        String safe = text;
        String password = settings.password().map(Secret::reveal).orElse("");
        if (!password.isEmpty()) {
            safe = safe.replace(password, Secret.MASK);
        }
        return safe.length() <= MAX_REASON_LENGTH ? safe : safe.substring(0, MAX_REASON_LENGTH) + "...";
    }

    /** Sends what the producer holds; the engine calls it before close. */
    @Override
    public void flush() {
        producer.flush();
    }

    @Override
    public void close() {
        sender.shutdown();
        try {
            sender.awaitTermination(KafkaClients.MAX_BLOCK_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(java.time.Duration.ofSeconds(10));
    }

    @Override
    public String toString() {
        return "KafkaDestination{" + settings + "}";
    }
}
