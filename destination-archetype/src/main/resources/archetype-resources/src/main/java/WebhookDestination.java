package ${package};

import io.sluice.spi.BatchLimits;
import io.sluice.spi.Destination;
import io.sluice.spi.DestinationContext;
import io.sluice.spi.Health;
import io.sluice.spi.Outcome;
import io.sluice.spi.event.Event;
import io.sluice.spi.metrics.PluginMetrics;
import io.sluice.spi.settings.Secret;
import io.sluice.spi.settings.Settings;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One configured webhook. Sluice owns buffering, batching, retries and backoff: this class only
 * turns a batch into one request and the answer into one outcome per event.
 */
final class WebhookDestination implements Destination {

    /** At most 100 events or 1 MiB per request; a larger event is rejected before sending. */
    private static final BatchLimits LIMITS = new BatchLimits(100, 1024 * 1024);

    private final URI url;
    private final Secret apiKey;
    private final Map<String, Secret> headers;
    private final Duration timeout;
    private final HttpClient client;
    private final PluginMetrics.Counter refusals;
    private final System.Logger log;
    /** What the endpoint said about our configuration; null once a request went through. */
    private volatile String configurationError;

    WebhookDestination(Settings settings, DestinationContext context) {
        this.url = settings.uri("url").orElseThrow();
        this.apiKey = settings.secret("apiKey").orElseThrow();
        this.headers = settings.secretMap("headers");
        this.timeout = Duration.ofSeconds(settings.integer("timeoutSeconds"));
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        this.refusals = context.metrics().counter("webhook_refusals_total", "Requests the endpoint answered with an error");
        this.log = context.logger();
    }

    @Override
    public BatchLimits limits() {
        return LIMITS;
    }

    /** Starts one request and returns at once; the stage completes when the endpoint answers. */
    @Override
    public CompletionStage<List<Outcome>> deliver(List<Event> batch) {
        Outcome[] outcomes = new Outcome[batch.size()];
        List<Integer> sent = new ArrayList<>();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (int i = 0; i < batch.size(); i++) {
            Event event = batch.get(i);
            if (sizeOf(event) > LIMITS.maxBytes()) {
                outcomes[i] = Outcome.rejected("the event is " + sizeOf(event) + " bytes, over the limit of "
                        + LIMITS.maxBytes());
                continue;
            }
            ByteBuffer json = event.json();
            byte[] bytes = new byte[json.remaining()];
            json.get(bytes);
            body.writeBytes(bytes);
            body.write('\n');
            sent.add(i);
        }
        if (sent.isEmpty()) {
            return CompletableFuture.completedFuture(Arrays.asList(outcomes));
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Content-Type", "application/x-ndjson")
                .header("Authorization", "Bearer " + apiKey.reveal())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()));
        headers.forEach((name, value) -> request.header(name, value.reveal()));
        return client.sendAsync(request.build(), HttpResponse.BodyHandlers.discarding()).handle((response, error) -> {
            Outcome outcome = error != null
                    ? Outcome.retryable("the request failed: " + error.getClass().getSimpleName())
                    : outcome(response);
            sent.forEach(i -> outcomes[i] = outcome);
            return Arrays.asList(outcomes);
        });
    }

    /** The answer as an outcome: 2xx delivered; 429 and 5xx retried; 401, 403, 404 kept while unhealthy; other 4xx rejected. */
    private Outcome outcome(HttpResponse<?> response) {
        int status = response.statusCode();
        if (status / 100 == 2) {
            configurationError = null;
            return Outcome.delivered();
        }
        refusals.increment();
        if (status == 429 || status >= 500) {
            return Outcome.retryable("HTTP " + status, retryAfter(response));
        }
        if (status == 401 || status == 403 || status == 404) {
            if (configurationError == null) {
                log.log(System.Logger.Level.WARNING, "{0} answers HTTP {1}: check url, apiKey and headers",
                        url.getHost(), status);
            }
            configurationError = "HTTP " + status + " from " + url.getHost();
            return Outcome.retryable("HTTP " + status + ": the endpoint refuses this configuration");
        }
        return Outcome.rejected("HTTP " + status + ": the endpoint refused these events");
    }

    /** The wait a 429 or 503 asks for, in seconds; none when absent or a date. */
    private static Duration retryAfter(HttpResponse<?> response) {
        return response.headers().firstValue("Retry-After")
                .filter(v -> v.matches("[0-9]{1,6}"))
                .map(v -> Duration.ofSeconds(Long.parseLong(v)))
                .orElse(Duration.ZERO);
    }

    @Override
    public Health health() {
        String error = configurationError;
        return error == null ? Health.HEALTHY : Health.unhealthy(error + ": check url, apiKey and headers");
    }

    @Override
    public void close() {
        // HttpClient has nothing to close before Java 21; its threads end with it.
    }
}
