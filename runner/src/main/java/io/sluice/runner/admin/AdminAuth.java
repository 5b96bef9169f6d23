package io.sluice.runner.admin;

import io.sluice.runner.config.AdminToken;
import io.sluice.runner.config.WriteKey;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.Cookie;
import io.undertow.server.handlers.CookieImpl;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Who may use the dashboard and its API: a browser session opened by logging in with the admin
 * token, or a script sending {@code Authorization: Bearer <admin token>}. Nothing else opens it: a
 * write key (Basic, as the Tracking API takes it) is refused.
 *
 * <p>A session is a random 256-bit id in an {@code HttpOnly}, {@code SameSite=Strict} cookie, kept
 * server-side (as its SHA-256, in a {@link SessionStore}: shared when the admin state is) with an
 * expiry, and a CSRF token derived from it. A state-changing
 * request on a session needs that token in {@code X-CSRF-Token}, and an {@code Origin} and
 * {@code Sec-Fetch-Site} that say same-origin when the browser sends them. A bearer request
 * carries no ambient credential, so it needs no CSRF token. Tokens are compared in constant time.
 */
final class AdminAuth {

    static final String COOKIE = "sluice_admin";
    static final HttpString CSRF_HEADER = new HttpString("X-CSRF-Token");
    private static final HttpString SEC_FETCH_SITE = new HttpString("Sec-Fetch-Site");
    private static final int MAX_SESSIONS = 1000;
    /** Failed logins allowed per minute, over all clients, before logins answer 429 for the rest of it. */
    static final int MAX_FAILED_LOGINS_PER_MINUTE = 20;

    private final AdminToken token;
    private final Duration sessionTimeout;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final SessionStore sessions;
    private long failureMinute;
    private int failures;

    AdminAuth(AdminToken token, Duration sessionTimeout, Clock clock) {
        this(token, sessionTimeout, clock, new SessionStore.InMemory());
    }

    AdminAuth(AdminToken token, Duration sessionTimeout, Clock clock, SessionStore sessions) {
        this.token = token;
        this.sessions = sessions;
        this.sessionTimeout = sessionTimeout;
        this.clock = clock;
    }

    /** A logged-in browser. */
    record Session(String csrfToken, Instant expires) {
        @Override
        public String toString() {
            return "Session[expires=" + expires + "]";
        }
    }

    /** Who is calling. */
    sealed interface Caller {
        /** A script with the admin token. */
        record Bearer() implements Caller {}

        /** A logged-in browser. */
        record Browser(Session session) implements Caller {}

        /** Nobody the admin API knows; {@code why} holds no credential. */
        record Refused(String why) implements Caller {}
    }

    Caller identify(HttpServerExchange exchange) {
        return identify(exchange.getRequestHeaders());
    }

    /** From the request's headers alone, so that a debugger stream can ask again while it is open. */
    Caller identify(HeaderMap headers) {
        String authorization = headers.getFirst(Headers.AUTHORIZATION);
        if (authorization != null) {
            String value = authorization.trim();
            if (value.regionMatches(true, 0, "Bearer ", 0, 7)) {
                return token.matches(value.substring(7).trim()) ? new Caller.Bearer()
                        : new Caller.Refused("the admin token is not valid");
            }
            return new Caller.Refused("the admin API takes Authorization: Bearer <admin token> (or a dashboard login);"
                    + " write keys do not open it");
        }
        String cookie = sessionCookie(headers);
        if (cookie != null) {
            Optional<Session> session = find(cookie);
            return session.<Caller>map(Caller.Browser::new)
                    .orElse(new Caller.Refused("the dashboard session has expired; log in again"));
        }
        return new Caller.Refused("log in to the dashboard, or send Authorization: Bearer <admin token>");
    }

    private static String sessionCookie(HeaderMap headers) {
        for (String header : headers.get(Headers.COOKIE) == null ? List.<String>of() : headers.get(Headers.COOKIE)) {
            for (String pair : header.split(";")) {
                String trimmed = pair.trim();
                if (trimmed.startsWith(COOKIE + "=")) {
                    return trimmed.substring(COOKIE.length() + 1);
                }
            }
        }
        return null;
    }

    /** Whether a browser session is logged in (for pages, which redirect to the login form instead). */
    boolean loggedIn(HttpServerExchange exchange) {
        return identify(exchange) instanceof Caller.Browser;
    }

    /**
     * Whether the browser says the request comes from the dashboard's own origin: an {@code Origin}
     * whose host and port are the request's {@code Host}, and {@code Sec-Fetch-Site: same-origin}.
     * A header that is absent (older browsers, scripts) does not count against it; the CSRF token
     * is still required.
     */
    static boolean sameOrigin(HttpServerExchange exchange) {
        String site = exchange.getRequestHeaders().getFirst(SEC_FETCH_SITE);
        if (site != null && !site.equalsIgnoreCase("same-origin")) {
            return false;
        }
        String origin = exchange.getRequestHeaders().getFirst(Headers.ORIGIN);
        if (origin == null) {
            return true;
        }
        String host = exchange.getRequestHeaders().getFirst(Headers.HOST);
        try {
            URI uri = new URI(origin.trim());
            if (uri.getHost() == null || host == null) {
                return false;
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            int port = uri.getPort() != -1 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
            String authority = uri.getHost().toLowerCase(Locale.ROOT) + ":" + port;
            String expected = host.trim().toLowerCase(Locale.ROOT);
            if (!expected.matches(".*:[0-9]+$") || expected.endsWith("]")) {
                expected = expected + ":" + (scheme.equals("https") ? 443 : 80);
            }
            return authority.equals(expected);
        } catch (URISyntaxException e) {
            return false;
        }
    }

    /** Whether {@code X-CSRF-Token} is the session's token. */
    static boolean csrfTokenMatches(HttpServerExchange exchange, Session session) {
        String given = exchange.getRequestHeaders().getFirst(CSRF_HEADER);
        return given != null && MessageDigest.isEqual(WriteKey.sha256(given), WriteKey.sha256(session.csrfToken()));
    }

    /** Whether a login attempt may be checked now; false after too many failures this minute. */
    synchronized boolean loginAllowed() {
        long minute = clock.millis() / 60_000;
        if (minute != failureMinute) {
            failureMinute = minute;
            failures = 0;
        }
        return failures < MAX_FAILED_LOGINS_PER_MINUTE;
    }

    synchronized void loginFailed() {
        failures++;
    }

    boolean tokenMatches(String candidate) {
        return token.matches(candidate);
    }

    /** Opens a session and sets its cookie on the answer. */
    Session open(HttpServerExchange exchange) {
        sweep();
        String id = randomToken();
        Session session = new Session(csrfToken(id), clock.instant().plus(sessionTimeout));
        sessions.put(key(id), session.expires());
        exchange.setResponseCookie(cookie(exchange, id, (int) sessionTimeout.toSeconds()));
        return session;
    }

    /** Ends the request's session, if any, and clears its cookie. */
    void close(HttpServerExchange exchange) {
        Cookie cookie = exchange.getRequestCookie(COOKIE);
        if (cookie != null) {
            sessions.remove(key(cookie.getValue()));
        }
        exchange.setResponseCookie(cookie(exchange, "", 0));
    }

    private Cookie cookie(HttpServerExchange exchange, String value, int maxAge) {
        CookieImpl cookie = new CookieImpl(COOKIE, value);
        cookie.setPath("/");
        cookie.setHttpOnly(true);
        cookie.setSameSiteMode("Strict");
        cookie.setMaxAge(maxAge);
        String forwarded = exchange.getRequestHeaders().getFirst("X-Forwarded-Proto");
        cookie.setSecure(exchange.getRequestScheme().equals("https") || "https".equalsIgnoreCase(forwarded));
        return cookie;
    }

    private Optional<Session> find(String id) {
        if (id == null || id.isEmpty()) {
            return Optional.empty();
        }
        return sessions.find(key(id), clock.instant()).map(expires -> new Session(csrfToken(id), expires));
    }

    /** Drops expired sessions, and the oldest when there are too many. */
    private void sweep() {
        sessions.sweep(clock.instant(), MAX_SESSIONS);
    }

    /**
     * The session's CSRF token, derived from its id: every node that shares the sessions knows it
     * without storing it, and the stored digest of the id does not give it away.
     */
    private static String csrfToken(String id) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(WriteKey.sha256("sluice csrf|" + id));
    }

    private String randomToken() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Sessions are found by a digest of their id, so the map holds nothing a cookie could be made from. */
    private static String key(String id) {
        return HexFormat.of().formatHex(WriteKey.sha256(id));
    }
}
