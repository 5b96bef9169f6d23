package io.sluice.webhook;

import io.sluice.spi.BatchLimits;
import io.sluice.spi.Destination;
import io.sluice.spi.Health;
import io.sluice.spi.Outcome;
import io.sluice.spi.event.Event;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * POSTs each batch to every configured URL and reports one outcome per event: delivered once every
 * URL accepted it. The engine owns batching and retries; this class holds no buffer and no loop.
 */
final class WebhookDestination implements Destination {

    /** With batching on: calls per request, and bytes per body (Segment's Webhooks batch stays well under both). */
    static final int MAX_BATCH_EVENTS = 100;
    static final long MAX_BODY_BYTES = 512 * 1024;
    /** The largest single call: Segment's Tracking API refuses calls over 32 KiB; keep room for enrichment. */
    static final long MAX_EVENT_BYTES = 512 * 1024;

    private final WebhookSettings settings;
    private final System.Logger log;
    private final HttpClient client;
    private final Optional<Signature> signature;
    private final BatchLimits limits;
    /** Per URL, the configuration error it last answered; removed once it accepts a request. */
    private final Map<URI, String> refusals = new ConcurrentHashMap<>();

    WebhookDestination(WebhookSettings settings, System.Logger log) {
        this.settings = settings;
        this.log = log;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.timeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.signature = settings.sharedSecret().map(Signature::new);
        this.limits = settings.batching()
                ? new BatchLimits(MAX_BATCH_EVENTS, MAX_BODY_BYTES)
                : new BatchLimits(1, MAX_EVENT_BYTES);
    }

    @Override
    public BatchLimits limits() {
        return limits;
    }

    /** The call's bytes, plus the comma that separates it from the next one in a batch. */
    @Override
    public long sizeOf(Event event) {
        return event.jsonLength() + (settings.batching() ? 1 : 0);
    }

    @Override
    public CompletionStage<List<Outcome>> deliver(List<Event> batch) {
        Outcome[] outcomes = new Outcome[batch.size()];
        List<Integer> sent = new ArrayList<>();
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            Event event = batch.get(i);
            if (event.jsonLength() > Math.min(limits.maxBytes(), MAX_EVENT_BYTES)) {
                outcomes[i] = Outcome.rejected("the call is " + event.jsonLength() + " bytes; the webhook sends at most "
                        + Math.min(limits.maxBytes(), MAX_EVENT_BYTES) + " bytes per call");
                continue;
            }
            sent.add(i);
            events.add(event);
        }
        if (events.isEmpty()) {
            return CompletableFuture.completedFuture(Arrays.asList(outcomes));
        }
        byte[] body = body(events);
        List<CompletableFuture<Outcome>> answers = new ArrayList<>();
        for (URI url : settings.urls()) {
            answers.add(post(url, body));
        }
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).handle((ignored, failure) -> {
            Outcome outcome = combine(answers.stream().map(a -> a.getNow(null)).toList());
            sent.forEach(i -> outcomes[i] = outcome);
            return Arrays.asList(outcomes);
        });
    }

    /** One call as Segment sends it; with batching, a JSON array of calls. */
    private byte[] body(List<Event> events) {
        if (!settings.batching()) {
            return bytes(events.get(0).json());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(events.stream().mapToInt(Event::jsonLength).sum() + events.size() + 1);
        out.write('[');
        for (int i = 0; i < events.size(); i++) {
            if (i > 0) {
                out.write(',');
            }
            out.writeBytes(bytes(events.get(i).json()));
        }
        out.write(']');
        return out.toByteArray();
    }

    private static byte[] bytes(ByteBuffer json) {
        byte[] bytes = new byte[json.remaining()];
        json.duplicate().get(bytes);
        return bytes;
    }

    private CompletableFuture<Outcome> post(URI url, byte[] body) {
        CompletableFuture<HttpResponse<Void>> call;
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(url)
                    .timeout(settings.timeout())
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "Sluice-Webhooks/1.0")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body));
            // A header value the client refuses (a line break, say) fails this request, not deliver().
            settings.headers().forEach((name, value) -> request.header(name, value.reveal()));
            signature.ifPresent(s -> request.header(Signature.HEADER, s.of(body)));
            call = client.sendAsync(request.build(), HttpResponse.BodyHandlers.discarding());
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        return call.handle((response, failure) -> failure != null
                ? StatusMapping.ofFailure(failure, settings.timeout(), where(url))
                : answer(url, response));
    }

    private Outcome answer(URI url, HttpResponse<?> response) {
        StatusMapping.Answer answer = StatusMapping.of(response.statusCode(), response.headers(), where(url));
        if (answer.configurationError()) {
            refused(url, answer.outcome());
        } else if (answer.outcome() instanceof Outcome.Delivered) {
            accepted(url);
        }
        return answer.outcome();
    }

    /**
     * Every URL must accept the call. Retryable if any URL asks for it (waiting the longest it asked),
     * so the whole call goes to every URL again; else rejected if any refused it for good.
     */
    static Outcome combine(List<Outcome> perUrl) {
        Outcome.Retryable retry = null;
        Outcome.Rejected rejected = null;
        for (Outcome outcome : perUrl) {
            if (outcome instanceof Outcome.Retryable r) {
                retry = retry == null ? r : new Outcome.Retryable(retry.reason() + "; " + r.reason(),
                        r.retryAfter().compareTo(retry.retryAfter()) > 0 ? r.retryAfter() : retry.retryAfter());
            } else if (outcome instanceof Outcome.Rejected r && rejected == null) {
                rejected = r;
            }
        }
        if (retry != null) {
            return retry;
        }
        return rejected != null ? rejected : Outcome.delivered();
    }

    private void refused(URI url, Outcome outcome) {
        String reason = ((Outcome.Retryable) outcome).reason();
        if (!reason.equals(refusals.put(url, reason))) {
            log.log(System.Logger.Level.WARNING, reason + "; events are kept and retried until this is fixed");
        }
    }

    private void accepted(URI url) {
        if (refusals.remove(url) != null) {
            log.log(System.Logger.Level.INFO, where(url) + " accepts requests again");
        }
    }

    /** Unhealthy while any URL refuses the configuration (401, 403, 404). */
    @Override
    public Health health() {
        if (refusals.isEmpty()) {
            return Health.HEALTHY;
        }
        List<String> reasons = settings.urls().stream().map(refusals::get).filter(r -> r != null).toList();
        return Health.unhealthy(String.join("; ", reasons) + ". Check the URL, its headers and credentials; "
                + "events are kept and retried until it accepts them.");
    }

    /** A URL as messages show it: scheme, host, port and path, never its query or user info (they can hold tokens). */
    static String where(URI url) {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() == -1 ? "" : ":" + url.getPort())
                + (url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath());
    }

    @Override
    public void close() {
        // Java 17's HttpClient has no close(); its threads end when it is no longer referenced.
    }

    @Override
    public String toString() {
        return "WebhookDestination{" + settings + "}";
    }
}
