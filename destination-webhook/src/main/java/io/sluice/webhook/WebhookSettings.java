package io.sluice.webhook;

import io.sluice.spi.settings.CrossCheck;
import io.sluice.spi.settings.Secret;
import io.sluice.spi.settings.Setting;
import io.sluice.spi.settings.SettingError;
import io.sluice.spi.settings.Settings;
import io.sluice.spi.settings.SettingsSchema;
import io.sluice.spi.settings.Validators;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The webhook's settings: {@link #SCHEMA} declares them once, {@link #from} reads validated
 * {@link Settings} into typed values. {@link #toString()} shows no header value and no secret.
 */
record WebhookSettings(List<URI> urls, Map<String, Secret> headers, Optional<Secret> sharedSecret,
                       Duration timeout, boolean batching) {

    static final String URLS = "urls";
    static final String HEADERS = "headers";
    static final String SHARED_SECRET = "sharedSecret";
    static final String TIMEOUT_SECONDS = "timeoutSeconds";
    static final String BATCHING = "batching";

    static final int MAX_URLS = 5;
    /** Headers the destination sets itself, or the HTTP client owns. */
    private static final Set<String> RESERVED_HEADERS = Set.of("content-type", "x-signature", "content-length",
            "host", "connection", "expect", "upgrade", "transfer-encoding");

    static final SettingsSchema SCHEMA = SettingsSchema.builder()
            .add(Setting.uriList(URLS).required().size(1, MAX_URLS).validator(Validators.distinct())
                    .label("Webhook URLs").group("Endpoint").order(1)
                    .description("1 to " + MAX_URLS + " http or https URLs. Every call is POSTed to each of them; "
                            + "an event counts as delivered once every URL accepted it."))
            .add(Setting.map(HEADERS).sensitive().optional().label("Headers").group("Endpoint").order(2)
                    .description("HTTP headers sent with every request, e.g. Authorization. Their values are "
                            + "kept secret: never shown or logged."))
            .add(Setting.secret(SHARED_SECRET).optional().label("Shared secret").group("Endpoint").order(3)
                    .description("Signs every request: X-Signature carries the hex HMAC-SHA1 of the exact body "
                            + "bytes under this secret, as Segment's Webhooks destination does."))
            .add(Setting.integer(TIMEOUT_SECONDS).defaultValue(10).label("Timeout (seconds)").group("Delivery")
                    .order(4).validator(Validators.between(1, 300))
                    .description("How long a request may take, connection included, before its events are "
                            + "retried."))
            .add(Setting.bool(BATCHING).defaultValue(false).label("Batching").group("Delivery").order(5)
                    .description("Off: one call per request, the JSON body Segment sends. On: a JSON array of up "
                            + "to " + WebhookDestination.MAX_BATCH_EVENTS + " calls per request, at most "
                            + WebhookDestination.MAX_BODY_BYTES / 1024 + " KiB."))
            .crossCheck(headersCanBeSent())
            .build();

    static WebhookSettings from(Settings s) {
        return new WebhookSettings(s.uriList(URLS), s.secretMap(HEADERS), s.secret(SHARED_SECRET),
                Duration.ofSeconds(s.integer(TIMEOUT_SECONDS)), s.bool(BATCHING));
    }

    /** Header names the HTTP client accepts and the destination does not set itself. */
    private static CrossCheck headersCanBeSent() {
        return s -> {
            if (!s.has(HEADERS)) {
                return Optional.empty();
            }
            for (Map.Entry<String, Secret> header : s.secretMap(HEADERS).entrySet()) {
                String name = header.getKey();
                if (header.getValue().reveal().chars().anyMatch(c -> (c < 0x20 && c != '\t') || c == 0x7f)) {
                    return Optional.of(new SettingError(HEADERS, "header_value", HEADERS + ": the value of " + name
                            + " must be one line of text, without control characters"));
                }
                if (RESERVED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                    return Optional.of(new SettingError(HEADERS, "reserved_header", HEADERS + ": header " + name
                            + " is set by Sluice or the HTTP client and cannot be configured"));
                }
                try {
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1/")).header(name, "x");
                } catch (IllegalArgumentException e) {
                    return Optional.of(new SettingError(HEADERS, "header_name", HEADERS + ": " + name
                            + " is not a header name that can be sent"));
                }
            }
            return Optional.empty();
        };
    }

    @Override
    public String toString() {
        return "WebhookSettings{urls=" + urls.size() + ", headers=" + headers.size() + ", signed="
                + sharedSecret.isPresent() + ", timeout=" + timeout + ", batching=" + batching + "}";
    }
}
