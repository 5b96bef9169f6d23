package io.sluice.runner.admin;

import io.sluice.runner.config.SluiceConfig;
import io.sluice.runner.dashboard.DashboardPages;
import io.sluice.runner.dashboard.Debugger;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.io.Receiver;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import io.undertow.util.StatusCodes;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Deque;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard and its admin API, on a listener of their own ({@code admin.host}, default
 * 127.0.0.1, and {@code admin.port}, default 8089), apart from the Tracking API. Pages: {@code /login}
 * (a form that posts the admin token), {@code /} (the dashboard, after logging in), its script and
 * style files; the JSON API is under {@code /api/} ({@link AdminApi}).
 *
 * <p>Every answer carries {@code Content-Security-Policy: default-src 'self'} (no inline script,
 * nothing from elsewhere), {@code X-Frame-Options: DENY} and {@code X-Content-Type-Options: nosniff}.
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
            + "frame-ancestors 'none'";
    private static final int MAX_LOGIN_BYTES = 4096;

    private final SluiceConfig.Admin config;
    private final AdminAuth auth;
    private final AdminApi api;
    private final Debugger debugger;
    private final DashboardPages pages = new DashboardPages();
    private Undertow undertow;

    public AdminServer(SluiceConfig.Admin config, DestinationAdmin destinations, Debugger debugger, Clock clock,
                       AdminState state) {
        this.config = config;
        this.auth = new AdminAuth(config.token().orElseThrow(
                () -> new IllegalStateException("the admin server needs an admin token")), config.sessionTimeout(), clock,
                state.sessions());
        this.api = new AdminApi(auth, destinations, debugger);
        this.debugger = debugger;
    }

    public synchronized void start() {
        undertow = Undertow.builder()
                .addHttpListener(config.port(), config.host())
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, (long) AdminApi.MAX_BODY_BYTES * 2)
                .setHandler(this::handle)
                .build();
        undertow.start();
        LOG.info("dashboard and admin API at {}", baseUrl());
    }

    public int port() {
        return ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
    }

    /** {@code http://host:port}. */
    public String baseUrl() {
        String host = config.host().equals("0.0.0.0") ? "127.0.0.1" : config.host();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
    }

    @Override
    public synchronized void close() {
        api.close();
        debugger.close();
        if (undertow != null) {
            undertow.stop();
            undertow = null;
        }
    }

    private void handle(HttpServerExchange exchange) {
        if (exchange.isInIoThread()) {
            exchange.dispatch(this::handle); // sessions may be looked up in the shared store: never on an I/O thread
            return;
        }
        try {
            route(exchange);
        } catch (AdminException e) {
            text(exchange, e.status(), e.getMessage()); // sessions live in the shared store, which cannot be reached
        }
    }

    private void route(HttpServerExchange exchange) {
        securityHeaders(exchange);
        String path = exchange.getRequestPath();
        if (path.equals("/api") || path.startsWith("/api/")) {
            api.handle(exchange);
            return;
        }
        HttpString method = exchange.getRequestMethod();
        switch (path) {
            case "/login" -> {
                if (method.equals(Methods.POST)) {
                    login(exchange);
                } else if (AdminApi.safe(method)) {
                    page(exchange, StatusCodes.OK, pages.login(loginMessage(exchange)));
                } else {
                    text(exchange, StatusCodes.METHOD_NOT_ALLOWED, "use GET or POST");
                }
            }
            case "/logout" -> {
                if (method.equals(Methods.POST)) {
                    logout(exchange);
                } else {
                    text(exchange, StatusCodes.METHOD_NOT_ALLOWED, "use POST");
                }
            }
            case "/", "/index.html" -> {
                if (!AdminApi.safe(method)) {
                    text(exchange, StatusCodes.METHOD_NOT_ALLOWED, "use GET");
                } else if (auth.loggedIn(exchange)) {
                    exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
                    page(exchange, StatusCodes.OK, pages.find("/index.html").orElseThrow());
                } else {
                    redirect(exchange, "/login");
                }
            }
            default -> {
                Optional<DashboardPages.Page> file = pages.find(path);
                if (file.isPresent() && AdminApi.safe(method) && !path.endsWith(".html")) {
                    page(exchange, StatusCodes.OK, file.get());
                } else {
                    text(exchange, StatusCodes.NOT_FOUND, "not found");
                }
            }
        }
    }

    /** {@code POST /login} with the form field {@code token}: a session, or back to the form. */
    private void login(HttpServerExchange exchange) {
        if (!AdminAuth.sameOrigin(exchange)) {
            text(exchange, StatusCodes.FORBIDDEN, "log in from the dashboard's own login page");
            return;
        }
        Receiver receiver = exchange.getRequestReceiver();
        receiver.setMaxBufferSize(MAX_LOGIN_BYTES);
        receiver.receiveFullBytes((ex, bytes) -> ex.dispatch(() -> loggedIn(ex, bytes)),
                (ex, failure) -> text(ex, StatusCodes.BAD_REQUEST, "the login form is too large"));
    }

    /** Checks the posted token, on a worker thread (opening a session may write to the shared store). */
    private void loggedIn(HttpServerExchange ex, byte[] bytes) {
        if (!auth.loginAllowed()) {
            ex.getResponseHeaders().put(Headers.RETRY_AFTER, "60");
            page(ex, StatusCodes.TOO_MANY_REQUESTS, pages.login(Optional.of(
                    "Too many failed logins; try again in a minute.")));
            return;
        }
        String token = formField(new String(bytes, StandardCharsets.UTF_8), "token");
        if (token != null && auth.tokenMatches(token)) {
            try {
                auth.open(ex);
            } catch (AdminException e) {
                page(ex, e.status(), pages.login(Optional.of("Logins are kept in the shared admin store, which cannot"
                        + " be reached now; try again in a moment.")));
                return;
            }
            redirect(ex, "/");
        } else {
            auth.loginFailed();
            LOG.warn("a dashboard login with a wrong admin token from {}", ex.getSourceAddress());
            redirect(ex, "/login?error=invalid");
        }
    }

    /** {@code POST /logout}: needs the session's CSRF token, like every change. */
    private void logout(HttpServerExchange exchange) {
        AdminAuth.Caller caller = auth.identify(exchange);
        if (caller instanceof AdminAuth.Caller.Browser browser
                && (!AdminAuth.sameOrigin(exchange) || !AdminAuth.csrfTokenMatches(exchange, browser.session()))) {
            text(exchange, StatusCodes.FORBIDDEN, "logging out needs the session's CSRF token");
            return;
        }
        auth.close(exchange);
        exchange.setStatusCode(StatusCodes.NO_CONTENT);
        exchange.endExchange();
    }

    private static Optional<String> loginMessage(HttpServerExchange exchange) {
        Deque<String> error = exchange.getQueryParameters().get("error");
        return error != null && !error.isEmpty() ? Optional.of("That is not the admin token.") : Optional.empty();
    }

    /** One field of an {@code application/x-www-form-urlencoded} body. */
    static String formField(String body, String name) {
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            if (URLDecoder.decode(key, StandardCharsets.UTF_8).equals(name)) {
                return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private static void securityHeaders(HttpServerExchange exchange) {
        var headers = exchange.getResponseHeaders();
        headers.put(new HttpString("Content-Security-Policy"), CONTENT_SECURITY_POLICY);
        headers.put(new HttpString("X-Frame-Options"), "DENY");
        headers.put(new HttpString("X-Content-Type-Options"), "nosniff");
        // same-origin, not no-referrer: under no-referrer, browsers send "Origin: null" on POSTs, which the origin check refuses.
        headers.put(new HttpString("Referrer-Policy"), "same-origin");
        headers.put(new HttpString("Cross-Origin-Opener-Policy"), "same-origin");
        headers.put(new HttpString("Cross-Origin-Resource-Policy"), "same-origin");
    }

    private static void page(HttpServerExchange exchange, int status, DashboardPages.Page page) {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, page.contentType());
        exchange.getResponseSender().send(ByteBuffer.wrap(page.body()));
    }

    private static void redirect(HttpServerExchange exchange, String location) {
        exchange.setStatusCode(StatusCodes.SEE_OTHER);
        exchange.getResponseHeaders().put(Headers.LOCATION, location);
        exchange.endExchange();
    }

    private static void text(HttpServerExchange exchange, int status, String message) {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
        exchange.getResponseSender().send(message + "\n");
    }
}
