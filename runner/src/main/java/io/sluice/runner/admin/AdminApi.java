package io.sluice.runner.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.runner.dashboard.Debugger;
import io.sluice.spi.settings.SettingError;
import io.undertow.io.Receiver;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.sse.ServerSentEventConnection;
import io.undertow.server.handlers.sse.ServerSentEventHandler;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import io.undertow.util.StatusCodes;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON admin API under {@code /api/}; the dashboard uses it, and so can scripts. Every request
 * is authenticated by {@link AdminAuth} first. Paths name destinations URL-encoded, since names
 * may hold {@code /} ({@code web%2Fkinesis}). See the README's "Dashboard and admin API".
 */
final class AdminApi implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int MAX_BODY_BYTES = 64 * 1024;
    private static final long SSE_KEEP_ALIVE_MS = 15_000;

    private final AdminAuth auth;
    private final DestinationAdmin destinations;
    private final Debugger debugger;
    private final ServerSentEventHandler events;

    AdminApi(AdminAuth auth, DestinationAdmin destinations, Debugger debugger) {
        this.auth = auth;
        this.destinations = destinations;
        this.debugger = debugger;
        this.events = new ServerSentEventHandler(this::connected);
    }

    void handle(HttpServerExchange exchange) {
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        AdminAuth.Caller caller;
        try {
            caller = auth.identify(exchange);
        } catch (AdminException e) {
            error(exchange, e); // sessions live in the shared store, which cannot be reached
            return;
        }
        if (caller instanceof AdminAuth.Caller.Refused refused) {
            exchange.getResponseHeaders().put(Headers.WWW_AUTHENTICATE, "Bearer realm=\"sluice-admin\"");
            error(exchange, StatusCodes.UNAUTHORIZED, "unauthorized", refused.why());
            return;
        }
        if (caller instanceof AdminAuth.Caller.Browser browser) {
            if (!AdminAuth.sameOrigin(exchange)) {
                error(exchange, StatusCodes.FORBIDDEN, "cross_origin",
                        "the admin API answers the dashboard's own pages only (Origin / Sec-Fetch-Site is not same-origin)");
                return;
            }
            if (!safe(exchange.getRequestMethod()) && !AdminAuth.csrfTokenMatches(exchange, browser.session())) {
                error(exchange, StatusCodes.FORBIDDEN, "csrf",
                        "a change from the dashboard needs the session's CSRF token in the X-CSRF-Token header");
                return;
            }
        }
        List<String> path;
        try {
            path = segments(exchange);
        } catch (IllegalArgumentException e) {
            error(exchange, StatusCodes.BAD_REQUEST, "invalid_path", "the path is not valid URL encoding");
            return;
        }
        route(exchange, caller, path);
    }

    private void route(HttpServerExchange exchange, AdminAuth.Caller caller, List<String> p) {
        HttpString method = exchange.getRequestMethod();
        int n = p.size();
        if (n == 2 && p.get(1).equals("session")) {
            onlyGet(exchange, () -> {
                ObjectNode body = JSON.createObjectNode();
                if (caller instanceof AdminAuth.Caller.Browser browser) {
                    body.put("auth", "session").put("csrfToken", browser.session().csrfToken())
                            .put("expires", browser.session().expires().toString());
                } else {
                    body.put("auth", "bearer");
                }
                return body;
            });
        } else if (n == 2 && p.get(1).equals("sources")) {
            onlyGet(exchange, destinations::sources);
        } else if (n == 2 && p.get(1).equals("types")) {
            onlyGet(exchange, destinations::types);
        } else if (n == 2 && p.get(1).equals("throughput")) {
            onlyGet(exchange, () -> destinations.throughput(minutes(exchange)));
        } else if (n == 2 && p.get(1).equals("events")) {
            onlyGet(exchange, () -> {
                ObjectNode body = JSON.createObjectNode();
                body.set("events", debugger.snapshot());
                return body;
            });
        } else if (n == 3 && p.get(1).equals("events") && p.get(2).equals("stream")) {
            if (!method.equals(Methods.GET)) {
                notAllowed(exchange, "GET");
                return;
            }
            try {
                events.handleRequest(exchange);
            } catch (Exception e) {
                LOG.warn("the debugger stream failed to start: {}", e.toString());
                exchange.setStatusCode(StatusCodes.INTERNAL_SERVER_ERROR);
                exchange.endExchange();
            }
        } else if (n == 4 && p.get(1).equals("sources") && p.get(3).equals("destinations")) {
            String source = p.get(2);
            if (method.equals(Methods.POST)) {
                boolean dryRun = dryRun(exchange);
                withBody(exchange, dryRun ? StatusCodes.OK : StatusCodes.CREATED, body -> destinations.add(source, body, dryRun));
            } else {
                notAllowed(exchange, "POST");
            }
        } else if (n == 5 && p.get(1).equals("sources") && p.get(3).equals("destinations")) {
            String source = p.get(2);
            String name = p.get(4);
            if (method.equals(Methods.GET)) {
                run(exchange, StatusCodes.OK, () -> destinations.destination(source, name));
            } else if (method.equals(Methods.PUT)) {
                withBody(exchange, StatusCodes.OK, body -> destinations.update(source, name, body,
                        expectedVersion(exchange, body), dryRun(exchange)));
            } else if (method.equals(Methods.PATCH)) {
                withBody(exchange, StatusCodes.OK, body -> patch(source, name, body, expectedVersion(exchange, body)));
            } else if (method.equals(Methods.DELETE)) {
                run(exchange, StatusCodes.OK, () -> destinations.remove(source, name, expectedVersion(exchange, null)));
            } else {
                notAllowed(exchange, "GET, PUT, PATCH, DELETE");
            }
        } else if (n == 6 && p.get(1).equals("sources") && p.get(3).equals("destinations")
                && (p.get(5).equals("enable") || p.get(5).equals("disable"))) {
            boolean on = p.get(5).equals("enable");
            if (method.equals(Methods.POST)) {
                run(exchange, StatusCodes.OK, () -> destinations.setEnabled(p.get(2), p.get(4), on,
                        expectedVersion(exchange, null)));
            } else {
                notAllowed(exchange, "POST");
            }
        } else {
            error(exchange, StatusCodes.NOT_FOUND, "not_found", "no such admin API endpoint; see the README's"
                    + " \"Dashboard and admin API\"");
        }
    }

    /**
     * The version a change was made against: {@code If-Match: "7"} or {@code "version": 7} in the
     * body, as read from the destination; -1 when neither is given (the node's own view is checked).
     */
    static long expectedVersion(HttpServerExchange exchange, JsonNode body) {
        String ifMatch = exchange.getRequestHeaders().getFirst(Headers.IF_MATCH);
        JsonNode given = body != null && body.isObject() ? body.get("version") : null;
        if (ifMatch != null) {
            String value = ifMatch.trim().replaceFirst("^W/", "").replace("\"", "");
            try {
                return Math.max(0, Long.parseLong(value));
            } catch (NumberFormatException e) {
                throw new AdminException(StatusCodes.BAD_REQUEST, "invalid_version",
                        "If-Match: must be the destination's version, a whole number, as GET answers it");
            }
        }
        if (given == null || given.isNull()) {
            return -1;
        }
        if (!given.canConvertToLong() || given.asLong() < 0 || !given.isIntegralNumber()) {
            throw new AdminException(StatusCodes.BAD_REQUEST, "invalid_version",
                    "version: must be the destination's version, a whole number, as GET answers it");
        }
        return given.asLong();
    }

    /** {@code PATCH}: {@code {"enabled":false}} switches; with {@code settings} it is an edit. */
    private ObjectNode patch(String source, String name, JsonNode body, long expectedVersion) {
        if (body != null && body.isObject() && !body.has("settings") && body.path("enabled").isBoolean()
                && (body.size() == 1 || (body.size() == 2 && body.has("version")))) {
            return destinations.setEnabled(source, name, body.get("enabled").booleanValue(), expectedVersion);
        }
        if (body != null && body.isObject() && body.has("settings")) {
            return destinations.update(source, name, body, expectedVersion, false);
        }
        throw new AdminException(StatusCodes.BAD_REQUEST, "invalid_patch",
                "PATCH takes {\"enabled\": true|false}, or {\"settings\": {...}} as PUT does");
    }

    private void connected(ServerSentEventConnection connection, String lastEventId) {
        connection.setKeepAliveTime(SSE_KEEP_ALIVE_MS);
        Debugger.Listener listener = json -> {
            if (!connection.isOpen()) {
                return false;
            }
            // Checked again for each entry: a stream must end with the session it was opened on (logout, expiry).
            if (!stillAllowed(connection)) {
                connection.shutdown();
                return false;
            }
            connection.send(json, "entry", null, null);
            return true;
        };
        connection.addCloseTask(c -> debugger.unsubscribe(listener));
        debugger.subscribe(listener);
    }

    /** {@code ?dryRun=true}: check the change as it would be made, and make none. */
    private static boolean dryRun(HttpServerExchange exchange) {
        Deque<String> given = exchange.getQueryParameters().get("dryRun");
        return given != null && !given.isEmpty() && given.getFirst().equals("true");
    }

    private boolean stillAllowed(ServerSentEventConnection connection) {
        try {
            return !(auth.identify(connection.getRequestHeaders()) instanceof AdminAuth.Caller.Refused);
        } catch (AdminException e) {
            return false; // the shared store that holds sessions cannot be reached
        }
    }

    private static int minutes(HttpServerExchange exchange) {
        Deque<String> given = exchange.getQueryParameters().get("minutes");
        if (given == null || given.isEmpty()) {
            return 15;
        }
        try {
            int minutes = Integer.parseInt(given.getFirst().trim());
            if (minutes >= 1 && minutes <= 15) {
                return minutes;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new AdminException(StatusCodes.BAD_REQUEST, "invalid_minutes", "minutes: must be a whole number from 1 to 15");
    }

    private void onlyGet(HttpServerExchange exchange, java.util.function.Supplier<ObjectNode> answer) {
        if (!safe(exchange.getRequestMethod())) {
            notAllowed(exchange, "GET");
            return;
        }
        run(exchange, StatusCodes.OK, answer);
    }

    /** Runs {@code answer} on a worker thread (it may wait for a destination) and sends its JSON. */
    private void run(HttpServerExchange exchange, int status, java.util.function.Supplier<ObjectNode> answer) {
        if (exchange.isInIoThread()) {
            exchange.dispatch(() -> run(exchange, status, answer));
            return;
        }
        try {
            json(exchange, status, answer.get());
        } catch (AdminException e) {
            error(exchange, e);
        } catch (RuntimeException e) {
            LOG.error("admin API {} {} failed", exchange.getRequestMethod(), exchange.getRequestPath(), e);
            error(exchange, StatusCodes.INTERNAL_SERVER_ERROR, "internal_error",
                    "the request failed (" + e.getClass().getSimpleName() + "); see Sluice's log");
        }
    }

    private void withBody(HttpServerExchange exchange, int status, Function<JsonNode, ObjectNode> answer) {
        String type = exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
        if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            error(exchange, StatusCodes.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
                    "send the body as Content-Type: application/json");
            return;
        }
        Receiver receiver = exchange.getRequestReceiver();
        receiver.setMaxBufferSize(MAX_BODY_BYTES);
        receiver.receiveFullBytes((ex, bytes) -> ex.dispatch(() -> {
            JsonNode body;
            try {
                body = bytes.length == 0 ? null : JSON.readTree(bytes);
            } catch (java.io.IOException e) {
                error(ex, StatusCodes.BAD_REQUEST, "invalid_json", "the body is not valid JSON");
                return;
            }
            run(ex, status, () -> answer.apply(body));
        }), (ex, failure) -> {
            if (failure instanceof Receiver.RequestToLargeException) {
                error(ex, StatusCodes.BAD_REQUEST, "body_too_large", "the body is over " + MAX_BODY_BYTES + " bytes");
            } else {
                ex.setPersistent(false);
                ex.endExchange();
            }
        });
    }

    /** The path's segments, each URL-decoded, from the raw request URI (so {@code %2F} stays inside a segment). */
    static List<String> segments(HttpServerExchange exchange) {
        String raw = exchange.getRequestURI();
        int scheme = raw.indexOf("://");
        if (scheme >= 0) {
            int slash = raw.indexOf('/', scheme + 3);
            raw = slash < 0 ? "/" : raw.substring(slash);
        }
        int query = raw.indexOf('?');
        if (query >= 0) {
            raw = raw.substring(0, query);
        }
        List<String> segments = new ArrayList<>();
        for (String part : raw.split("/")) {
            if (!part.isEmpty()) {
                segments.add(URLDecoder.decode(part.replace("+", "%2B"), StandardCharsets.UTF_8));
            }
        }
        return segments;
    }

    static boolean safe(HttpString method) {
        return method.equals(Methods.GET) || method.equals(Methods.HEAD) || method.equals(Methods.OPTIONS);
    }

    private void notAllowed(HttpServerExchange exchange, String allowed) {
        exchange.getResponseHeaders().put(Headers.ALLOW, allowed);
        error(exchange, StatusCodes.METHOD_NOT_ALLOWED, "method_not_allowed", "use " + allowed);
    }

    private static void error(HttpServerExchange exchange, AdminException e) {
        ObjectNode body = failure(e.code(), e.getMessage());
        if (e instanceof ConflictException conflict) {
            body.set("current", conflict.current().orElse(null));
        }
        if (!e.errors().isEmpty()) {
            ArrayNode errors = body.putArray("errors");
            for (SettingError error : e.errors()) {
                errors.addObject().put("field", error.field()).put("rule", error.rule()).put("message", error.message());
            }
        }
        json(exchange, e.status(), body);
    }

    static void error(HttpServerExchange exchange, int status, String code, String message) {
        json(exchange, status, failure(code, message));
    }

    private static ObjectNode failure(String code, String message) {
        return JSON.createObjectNode().put("success", false).put("code", code).put("message", message);
    }

    static void json(HttpServerExchange exchange, int status, ObjectNode body) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json; charset=utf-8");
        exchange.getResponseSender().send(ByteBuffer.wrap(bytes));
    }

    /** Ends every debugger stream, so the server can stop. */
    @Override
    public void close() {
        for (ServerSentEventConnection connection : events.getConnections()) {
            try {
                connection.shutdown();
            } catch (RuntimeException e) {
                // closing anyway
            }
        }
    }
}
