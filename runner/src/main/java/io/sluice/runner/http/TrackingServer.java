package io.sluice.runner.http;

import io.sluice.core.intake.Intake;
import io.sluice.runner.config.SluiceConfig;
import io.sluice.runner.deadletter.DeadLetterFile;
import io.sluice.runner.metrics.SluiceMetrics;
import io.sluice.runner.routing.Pipeline;
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
 * The HTTP server: Segment's Tracking API under {@code /v1}, plus {@code /health} and
 * {@code /metrics}, on Undertow. A trailing slash is ignored ({@code /v1/track/}).
 */
public final class TrackingServer implements AutoCloseable {

    /**
     * Undertow drains an unread request body after answering; past this it closes the connection
     * instead. Above the 500 KB batch limit so that a client sending a slightly large body still
     * reads its 400.
     */
    static final long MAX_ENTITY_BYTES = 2L * 1024 * 1024;

    private static final Map<String, Optional<EventType>> CALLS = Map.of(
            "/v1/identify", Optional.of(EventType.IDENTIFY),
            "/v1/track", Optional.of(EventType.TRACK),
            "/v1/page", Optional.of(EventType.PAGE),
            "/v1/screen", Optional.of(EventType.SCREEN),
            "/v1/group", Optional.of(EventType.GROUP),
            "/v1/alias", Optional.of(EventType.ALIAS),
            "/v1/batch", Optional.empty(),
            "/v1/import", Optional.empty());

    private final SluiceConfig.Server config;
    private final TrackingApiHandler api;
    private final HealthReport health;
    private final SluiceMetrics metrics;
    private final HttpResponses responses;
    private volatile boolean accepting = true;
    private Undertow undertow;

    public TrackingServer(SluiceConfig.Server config, Intake intake, Pipeline pipeline,
                          WriteKeyAuthenticator authenticator, DeadLetterFile deadLetters, SluiceMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
        this.responses = new HttpResponses(metrics);
        this.api = new TrackingApiHandler(intake, pipeline, authenticator, deadLetters, metrics, responses);
        this.health = new HealthReport(pipeline);
    }

    public synchronized void start() {
        undertow = Undertow.builder()
                .addHttpListener(config.port(), config.host())
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, MAX_ENTITY_BYTES)
                .setServerOption(UndertowOptions.ALWAYS_SET_DATE, true)
                .setHandler(new HttpContinueReadHandler(this::route))
                .build();
        undertow.start();
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
        if (call != null) {
            exchange.putAttachment(HttpResponses.ENDPOINT, path.substring("/v1/".length()));
            if (!exchange.getRequestMethod().equals(Methods.POST)) {
                methodNotAllowed(exchange, "POST");
            } else if (!accepting) {
                TrackingApiHandler.shuttingDown(exchange, responses);
            } else {
                api.handle(exchange, call);
            }
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

    private static boolean isGet(HttpServerExchange exchange) {
        return exchange.getRequestMethod().equals(Methods.GET) || exchange.getRequestMethod().equals(Methods.HEAD);
    }

    private void methodNotAllowed(HttpServerExchange exchange, String allowed) {
        exchange.getResponseHeaders().put(Headers.ALLOW, allowed);
        responses.json(exchange, StatusCodes.METHOD_NOT_ALLOWED,
                HttpResponses.failure("method_not_allowed", "use " + allowed));
    }
}
