package io.sluice.runner.http;

import io.sluice.core.intake.Intake;
import io.sluice.core.spec.SpecJson;
import io.sluice.runner.config.SluiceConfig;
import io.sluice.runner.deadletter.DeadLetterFile;
import io.sluice.runner.metrics.SluiceMetrics;
import io.sluice.runner.routing.EventObserver;
import io.sluice.runner.routing.Pipeline;
import io.sluice.runner.routing.Source;
import io.sluice.spi.event.EventType;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.HttpContinueReadHandler;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import io.undertow.util.StatusCodes;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;

/**
 * The HTTP server: Segment's Tracking API under {@code /v1}, plus {@code /health}, {@code /ready}
 * and {@code /metrics}, on Undertow. A trailing slash is ignored ({@code /v1/track/}).
 *
 * <p>Under {@code /v1} are also the paths Segment's libraries use besides the documented ones:
 * analytics.js's one-letter calls ({@code /v1/t}, {@code /v1/i}, ...) and its batch {@code /v1/b}
 * (also the mobile libraries'), their telemetry {@code /v1/m}, and the settings document they
 * fetch at start. Every {@code /v1} answer carries CORS headers (see {@link Cors}).
 */
public final class TrackingServer implements AutoCloseable {

    /**
     * Undertow drains an unread request body after answering; past this it closes the connection
     * instead. Above the 500 KB batch limit so that a client sending a slightly large body still
     * reads its 400.
     */
    static final long MAX_ENTITY_BYTES = 2L * 1024 * 1024;

    /*
     * Time limits for clients, each overridable with a JVM system property sluice.http.<name>:
     * the request line and headers must arrive within requestParseTimeoutMs; a connection waiting
     * for bytes (a body that stalls, or an idle keep-alive connection) is closed after readTimeoutMs
     * without one; a connection with no request is closed after noRequestTimeoutMs. Above the 60 s
     * idle timeout of common load balancers, so they close idle connections first.
     */
    static final int REQUEST_PARSE_TIMEOUT_MS = 30_000;
    static final int READ_TIMEOUT_MS = 75_000;
    static final int NO_REQUEST_TIMEOUT_MS = 75_000;

    private static final Map<String, Optional<EventType>> CALLS = Map.ofEntries(
            Map.entry("/v1/identify", Optional.of(EventType.IDENTIFY)),
            Map.entry("/v1/track", Optional.of(EventType.TRACK)),
            Map.entry("/v1/page", Optional.of(EventType.PAGE)),
            Map.entry("/v1/screen", Optional.of(EventType.SCREEN)),
            Map.entry("/v1/group", Optional.of(EventType.GROUP)),
            Map.entry("/v1/alias", Optional.of(EventType.ALIAS)),
            Map.entry("/v1/batch", Optional.empty()),
            Map.entry("/v1/import", Optional.empty()),
            // analytics.js posts each call to the first letter of its type, and batches to /b.
            Map.entry("/v1/i", Optional.of(EventType.IDENTIFY)),
            Map.entry("/v1/t", Optional.of(EventType.TRACK)),
            Map.entry("/v1/p", Optional.of(EventType.PAGE)),
            Map.entry("/v1/s", Optional.of(EventType.SCREEN)),
            Map.entry("/v1/g", Optional.of(EventType.GROUP)),
            Map.entry("/v1/a", Optional.of(EventType.ALIAS)),
            Map.entry("/v1/b", Optional.empty()));

    /** Where analytics.js and analytics-kotlin send their own telemetry; taken and dropped, never an event. */
    private static final String CLIENT_METRICS = "/v1/m";

    private final SluiceConfig.Server config;
    private final TrackingApiHandler api;
    private final HealthReport health;
    private final SluiceMetrics metrics;
    private final HttpResponses responses;
    private final Cors cors;
    private final SettingsDocument settings;
    private final WriteKeyAuthenticator authenticator;
    private volatile boolean accepting = true;
    private Undertow undertow;

    /** @param observer hears of every call refused at intake (the dashboard's debugger) */
    public TrackingServer(SluiceConfig.Server config, Intake intake, Pipeline pipeline, WriteKeyAuthenticator authenticator,
                          DeadLetterFile deadLetters, SluiceMetrics metrics, EventObserver observer, NodeStatus node) {
        this.config = config;
        this.metrics = metrics;
        this.responses = new HttpResponses(metrics);
        this.cors = new Cors(pipeline.sources());
        this.settings = new SettingsDocument(config.publicUrl());
        this.authenticator = authenticator;
        this.api = new TrackingApiHandler(intake, pipeline, authenticator, deadLetters, metrics, responses, cors, observer);
        this.health = new HealthReport(pipeline, node);
    }

    public synchronized void start() {
        undertow = Undertow.builder()
                .addHttpListener(config.port(), config.host())
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, MAX_ENTITY_BYTES)
                .setServerOption(UndertowOptions.ALWAYS_SET_DATE, true)
                // Slow or stalled clients are dropped, so they cannot hold connections forever.
                .setServerOption(UndertowOptions.REQUEST_PARSE_TIMEOUT, millis("requestParseTimeoutMs", REQUEST_PARSE_TIMEOUT_MS))
                .setServerOption(UndertowOptions.NO_REQUEST_TIMEOUT, millis("noRequestTimeoutMs", NO_REQUEST_TIMEOUT_MS))
                .setSocketOption(org.xnio.Options.READ_TIMEOUT, millis("readTimeoutMs", READ_TIMEOUT_MS))
                .setHandler(new HttpContinueReadHandler(this::route))
                .build();
        undertow.start();
    }

    private static int millis(String name, int fallback) {
        return Integer.getInteger("sluice.http." + name, fallback);
    }

    /** The port listened on: the configured one, or the one picked for port 0. */
    public int port() {
        return ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
    }

    /** {@code http://host:port}, for banners and tests. */
    public String baseUrl() {
        String host = config.host().equals("0.0.0.0") ? "127.0.0.1" : config.host();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
    }

    /** From now on {@code /v1} answers 503 and {@code /health} reports shutting down. */
    public void stopAccepting() {
        accepting = false;
    }

    @Override
    public synchronized void close() {
        accepting = false;
        if (undertow != null) {
            undertow.stop();
            undertow = null;
        }
    }

    private void route(HttpServerExchange exchange) {
        String path = exchange.getRequestPath();
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        Optional<EventType> call = CALLS.get(path);
        if (call != null || path.equals(CLIENT_METRICS)) {
            exchange.putAttachment(HttpResponses.ENDPOINT, path.substring("/v1/".length()));
            if (exchange.getRequestMethod().equals(Methods.OPTIONS)) {
                cors.preflight(exchange, responses);
                return;
            }
            cors.allowIfAnySourceDoes(exchange);
            if (!exchange.getRequestMethod().equals(Methods.POST)) {
                methodNotAllowed(exchange, "POST"); // OPTIONS is the preflight, answered above
            } else if (call == null) {
                // The body is left unread: Undertow drains it (up to MAX_ENTITY_BYTES) after the answer.
                responses.success(exchange);
            } else if (!accepting) {
                TrackingApiHandler.shuttingDown(exchange, responses);
            } else {
                api.handle(exchange, call);
            }
            return;
        }
        Optional<String> settingsKey = SettingsDocument.writeKeyIn(path);
        if (settingsKey.isPresent()) {
            exchange.putAttachment(HttpResponses.ENDPOINT, "settings"); // never the path: it holds a key
            settings(exchange, settingsKey.get());
            return;
        }
        switch (path) {
            case "/health" -> {
                exchange.putAttachment(HttpResponses.ENDPOINT, "health");
                if (!isGet(exchange)) {
                    methodNotAllowed(exchange, "GET");
                } else {
                    // Destinations' health() may take a moment: keep it off the I/O thread.
                    exchange.dispatch(() -> {
                        HealthReport.Result result = health.check(accepting);
                        responses.json(exchange, result.healthy() ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE,
                                result.body());
                    });
                }
            }
            case "/ready" -> {
                // For load balancers: whether this node takes events. A failing destination does not
                // make it unready, or one destination's outage would take every node out of rotation.
                exchange.putAttachment(HttpResponses.ENDPOINT, "ready");
                if (!isGet(exchange)) {
                    methodNotAllowed(exchange, "GET");
                } else {
                    responses.json(exchange, accepting ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE,
                            SpecJson.MAPPER.createObjectNode().put("status", accepting ? "ready" : "shutting_down"));
                }
            }
            case "/metrics" -> {
                exchange.putAttachment(HttpResponses.ENDPOINT, "metrics");
                if (!isGet(exchange)) {
                    methodNotAllowed(exchange, "GET");
                } else {
                    exchange.dispatch(() -> responses.send(exchange, StatusCodes.OK, metrics.contentType(), metrics.scrape()));
                }
            }
            default -> responses.json(exchange, StatusCodes.NOT_FOUND, HttpResponses.failure("not_found",
                    "no such endpoint; the Tracking API is POST /v1/identify, /v1/track, /v1/page, /v1/screen, "
                            + "/v1/group, /v1/alias, /v1/batch and /v1/import"));
        }
    }

    /** {@code GET /v1/projects/{writeKey}/settings}: the document for a known key, else 404. */
    private void settings(HttpServerExchange exchange, String writeKey) {
        if (exchange.getRequestMethod().equals(Methods.OPTIONS)) {
            cors.preflight(exchange, responses);
            return;
        }
        cors.allowIfAnySourceDoes(exchange);
        if (!isGet(exchange)) {
            methodNotAllowed(exchange, "GET");
            return;
        }
        Optional<Source> source = authenticator.authenticate(writeKey);
        if (source.isEmpty()) {
            // 404 and nothing more: the answer tells only that this key has no settings.
            responses.json(exchange, StatusCodes.NOT_FOUND,
                    HttpResponses.failure("not_found", "no settings for this write key"));
        } else if (!cors.allows(exchange, source.get())) {
            cors.refuse(exchange, responses, source.get());
        } else {
            exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
            responses.json(exchange, StatusCodes.OK, settings.render(writeKey, exchange));
        }
    }

    private static boolean isGet(HttpServerExchange exchange) {
        return exchange.getRequestMethod().equals(Methods.GET) || exchange.getRequestMethod().equals(Methods.HEAD);
    }

    private void methodNotAllowed(HttpServerExchange exchange, String allowed) {
        exchange.getResponseHeaders().put(Headers.ALLOW, allowed);
        responses.json(exchange, StatusCodes.METHOD_NOT_ALLOWED,
                HttpResponses.failure("method_not_allowed", "use " + allowed));
    }
}
