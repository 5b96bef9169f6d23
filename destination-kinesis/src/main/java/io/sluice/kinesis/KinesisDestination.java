package io.sluice.kinesis;

import io.sluice.spi.BatchLimits;
import io.sluice.spi.Destination;
import io.sluice.spi.Health;
import io.sluice.spi.Outcome;
import io.sluice.spi.metrics.PluginMetrics;
import io.sluice.spi.event.Event;
import io.sluice.spi.settings.Secret;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;

/**
 * Writes each batch to one Kinesis stream with a single PutRecords call and reports one outcome per
 * event. Retries, backoff and batching belong to the engine; this class holds no buffer and no loop.
 */
final class KinesisDestination implements Destination {

    /** PutRecords takes at most 500 records and 5 MiB, partition keys included. */
    private static final int MAX_RECORDS = 500;
    private static final long MAX_REQUEST_BYTES = 5L * 1024 * 1024;

    private static final System.Logger LOG = System.getLogger(KinesisDestination.class.getName());
    private static final int MAX_REASON_LENGTH = 500;
    private static final int MIN_MASKED_SECRET_LENGTH = 8;

    private final KinesisSettings settings;
    private final KinesisClients clients;
    private final PartitionKeys partitionKeys;
    private final BatchLimits limits;
    private final AtomicReference<Health> health = new AtomicReference<>(Health.HEALTHY);

    /** Records Kinesis refused one by one in a PutRecords answer (throttled, KMS): for /metrics. */
    private final PluginMetrics.Counter refusedRecords;

    KinesisDestination(KinesisSettings settings, KinesisClients clients) {
        this(settings, clients, PluginMetrics.NONE);
    }

    KinesisDestination(KinesisSettings settings, KinesisClients clients, PluginMetrics metrics) {
        this.refusedRecords = metrics.counter("kinesis_refused_records_total",
                "Records a PutRecords answer refused one by one (throttled, internal failure, KMS); they are retried");
        this.settings = settings;
        this.clients = clients;
        this.partitionKeys = new PartitionKeys(settings.useMessageId());
        // A record maxRecordBytes allows must fit the declared limit: the SPI makes an event over it
        // ours to reject. Streams set up for records over 5 MiB take PutRecords requests of 10 MiB.
        this.limits = new BatchLimits(MAX_RECORDS, Math.max(MAX_REQUEST_BYTES, settings.maxRecordBytes()));
    }

    /** Checks that the stream exists and is reachable with these credentials; never throws. */
    @Override
    public void open() {
        try {
            clients.kinesis().describeStreamSummary(r -> naming(r,
                    DescribeStreamSummaryRequest.Builder::streamARN,
                    DescribeStreamSummaryRequest.Builder::streamName)).join();
            healthy();
        } catch (RuntimeException e) {
            if (ErrorClass.of(e) == ErrorClass.CONFIGURATION) {
                unhealthy(describe(e));
            } else {
                LOG.log(System.Logger.Level.WARNING, redact("startup check of " + target()
                        + " failed; deliveries will try again: " + describe(e)));
            }
        }
    }

    /** Unhealthy after a configuration error, until a request reaches the stream again. */
    @Override
    public Health health() {
        return health.get();
    }

    @Override
    public BatchLimits limits() {
        return limits;
    }

    /** Encoded data plus the partition key's UTF-8 bytes: what Kinesis counts against its limits. */
    @Override
    public long sizeOf(Event event) {
        return recordSize(event, partitionKeys.of(event));
    }

    private long recordSize(Event event, String partitionKey) {
        return settings.payloadEncoding().encodedLength(event.jsonLength()) + utf8Length(partitionKey);
    }

    /**
     * What {@code text.getBytes(UTF_8).length} would say, counted rather than encoded: this runs for
     * every event, and again for each one sent.
     */
    private static int utf8Length(String text) {
        int bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                // A lone surrogate is encoded as '?'.
                bytes += Character.isSurrogate(c) ? 1 : 3;
            }
        }
        return bytes;
    }

    @Override
    public CompletionStage<List<Outcome>> deliver(List<Event> batch) {
        Outcome[] outcomes = new Outcome[batch.size()];
        List<Integer> sent = new ArrayList<>();
        List<PutRecordsRequestEntry> entries = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            Event event = batch.get(i);
            String key = partitionKeys.of(event);
            long size = recordSize(event, key);
            if (size > settings.maxRecordBytes()) {
                // Rejected up front: one record over the limit would otherwise fail the whole request.
                outcomes[i] = Outcome.rejected("record is " + size + " bytes after "
                        + settings.payloadEncoding().settingValue() + " encoding; maxRecordBytes is "
                        + settings.maxRecordBytes());
                continue;
            }
            sent.add(i);
            entries.add(PutRecordsRequestEntry.builder()
                    .partitionKey(key)
                    .data(SdkBytes.fromByteArrayUnsafe(settings.payloadEncoding().encode(event.json())))
                    .build());
        }
        if (entries.isEmpty()) {
            return CompletableFuture.completedFuture(List.of(outcomes));
        }
        CompletableFuture<PutRecordsResponse> call;
        try {
            call = clients.kinesis().putRecords(request(entries));
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        return call.handle((response, failure) -> {
            try {
                if (failure != null) {
                    failAll(outcomes, sent, failure);
                } else {
                    map(response, entries, sent, outcomes);
                }
            } catch (RuntimeException e) {
                // A reply we could not read: keep the events rather than guess.
                failAll(outcomes, sent, e);
            }
            return List.of(outcomes);
        });
    }

    private PutRecordsRequest request(List<PutRecordsRequestEntry> entries) {
        return naming(PutRecordsRequest.builder().records(entries),
                PutRecordsRequest.Builder::streamARN, PutRecordsRequest.Builder::streamName).build();
    }

    /** {@code request} with the stream set by whichever the setting holds, its ARN or its name. */
    private <B> B naming(B request, BiFunction<B, String, B> byArn, BiFunction<B, String, B> byName) {
        return (settings.streamIsArn() ? byArn : byName).apply(request, settings.stream());
    }

    /** Per-record results come back in request order. */
    private void map(PutRecordsResponse response, List<PutRecordsRequestEntry> entries, List<Integer> sent,
                     Outcome[] outcomes) {
        List<PutRecordsResultEntry> results = response.records();
        if (results.size() != entries.size()) {
            throw new IllegalStateException("Kinesis answered " + results.size() + " results for "
                    + entries.size() + " records");
        }
        String configurationError = null;
        for (int j = 0; j < results.size(); j++) {
            PutRecordsResultEntry result = results.get(j);
            int i = sent.get(j);
            if (result.errorCode() == null) {
                outcomes[i] = Outcome.delivered(Map.of(
                        "partitionKey", entries.get(j).partitionKey(),
                        "shardId", Objects.requireNonNullElse(result.shardId(), ""),
                        "sequenceNumber", Objects.requireNonNullElse(result.sequenceNumber(), "")));
                continue;
            }
            refusedRecords.increment();
            String reason = result.errorCode() + ": " + Objects.requireNonNullElse(result.errorMessage(), "");
            if (ErrorClass.ofRecordError(result.errorCode()) == ErrorClass.CONFIGURATION) {
                configurationError = reason;
            }
            outcomes[i] = Outcome.retryable(redact(reason));
        }
        if (configurationError != null) {
            unhealthy(configurationError);
        } else {
            healthy();
        }
    }

    private void failAll(Outcome[] outcomes, List<Integer> sent, Throwable failure) {
        String reason = describe(failure);
        if (ErrorClass.of(failure) == ErrorClass.CONFIGURATION) {
            unhealthy(reason);
            reason = "configuration error: " + reason;
        }
        Outcome retryable = Outcome.retryable(redact(reason));
        sent.forEach(i -> outcomes[i] = retryable);
    }

    private void healthy() {
        if (!health.getAndSet(Health.HEALTHY).isHealthy()) {
            LOG.log(System.Logger.Level.INFO, target() + " is reachable again");
        }
    }

    private void unhealthy(String reason) {
        String sentence = reason.endsWith(".") ? reason : reason + ".";
        Health now = Health.unhealthy(target() + " cannot be written: " + redact(sentence)
                + " Events are kept and retried until this is fixed.");
        if (!now.equals(health.getAndSet(now))) {
            LOG.log(System.Logger.Level.WARNING, now.message());
        }
    }

    private String target() {
        return "Kinesis stream " + settings.stream() + " in region " + settings.region();
    }

    /** The error code and message; for client-side failures, the exception and its message. */
    private static String describe(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof AwsServiceException e && e.awsErrorDetails() != null) {
            return e.awsErrorDetails().errorCode() + " (HTTP " + e.statusCode() + "): "
                    + Objects.requireNonNullElse(e.awsErrorDetails().errorMessage(), "");
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    /**
     * Service messages can quote request details; never let the secret key through, and keep it short.
     * (A "secret" of a few characters is a placeholder for a local server; masking it would garble text.)
     */
    private String redact(String text) {
        String safe = text;
        String secret = settings.secretAccessKey().map(Secret::reveal).orElse("");
        if (secret.length() >= MIN_MASKED_SECRET_LENGTH) {
            safe = safe.replace(secret, Secret.MASK);
        }
        return safe.length() <= MAX_REASON_LENGTH ? safe : safe.substring(0, MAX_REASON_LENGTH) + "...";
    }

    @Override
    public void close() {
        clients.close();
    }

    @Override
    public String toString() {
        return "KinesisDestination{" + target() + ", encoding=" + settings.payloadEncoding().settingValue() + "}";
    }
}
