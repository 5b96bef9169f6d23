package io.sluice.runner.http;

import io.sluice.runner.config.AllowedOrigins;
import io.sluice.runner.routing.Source;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.StatusCodes;
import java.util.List;
import java.util.regex.Pattern;

/**
 * CORS for the browser library (analytics.js): without these headers the browser hides Sluice's
 * answer from the page, and analytics.js retries an event that was in fact accepted.
 *
 * <p>analytics.js 1.84 sends {@code Authorization} and {@code X-Retry-Count}, so every call is
 * preflighted. A preflight carries no write key, so it is answered for the union of every source's
 * {@code allowedOrigins}; the call itself is then held to its own source's list (see
 * {@link #allows(HttpServerExchange, Source)}). An allowed origin is reflected, never {@code *}, so
 * that a page sending with {@code credentials: 'include'} works too.
 */
final class Cors {

    static final HttpString ALLOW_ORIGIN = HttpString.tryFromString("Access-Control-Allow-Origin");
    static final HttpString ALLOW_CREDENTIALS = HttpString.tryFromString("Access-Control-Allow-Credentials");
    static final HttpString ALLOW_METHODS = HttpString.tryFromString("Access-Control-Allow-Methods");
    static final HttpString ALLOW_HEADERS = HttpString.tryFromString("Access-Control-Allow-Headers");
    static final HttpString EXPOSE_HEADERS = HttpString.tryFromString("Access-Control-Expose-Headers");
    static final HttpString MAX_AGE = HttpString.tryFromString("Access-Control-Max-Age");
    static final HttpString REQUEST_HEADERS = HttpString.tryFromString("Access-Control-Request-Headers");
    static final HttpString REQUEST_PRIVATE_NETWORK = HttpString.tryFromString("Access-Control-Request-Private-Network");
    static final HttpString ALLOW_PRIVATE_NETWORK = HttpString.tryFromString("Access-Control-Allow-Private-Network");

    /** What Segment's libraries send; asked-for headers are reflected instead when they are plain header names. */
    static final String DEFAULT_ALLOWED_HEADERS = "Content-Type, Authorization, X-Retry-Count";
    static final String METHODS = "POST, GET, OPTIONS";
    /** Chromium caps a cached preflight at two hours; a larger number would not be kept longer. */
    static final String MAX_AGE_SECONDS = "7200";

    private static final Pattern HEADER_LIST = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]+( *, *[A-Za-z0-9!#$%&'*+.^_`|~-]+)*");

    private final AllowedOrigins anySource;

    Cors(List<Source> sources) {
        this.anySource = AllowedOrigins.union(sources.stream().map(Source::allowedOrigins).toList());
    }

    /**
     * Adds the CORS headers to whatever answer follows, when some source allows the request's
     * origin. Runs before authentication, so that a browser can read a 400 or 401 too.
     */
    void allowIfAnySourceDoes(HttpServerExchange exchange) {
        HeaderMap response = exchange.getResponseHeaders();
        response.add(Headers.VARY, "Origin");
        String origin = exchange.getRequestHeaders().getFirst(Headers.ORIGIN);
        if (origin != null && anySource.allows(origin)) {
            response.put(ALLOW_ORIGIN, origin);
            response.put(ALLOW_CREDENTIALS, "true");
            // analytics.js reads Retry-After on a 429; it is not a header a page may read by default.
            response.put(EXPOSE_HEADERS, "Retry-After");
        }
    }

    /** Whether the request may be taken for {@code source}: no {@code Origin} (not a browser), or one it allows. */
    boolean allows(HttpServerExchange exchange, Source source) {
        String origin = exchange.getRequestHeaders().getFirst(Headers.ORIGIN);
        return origin == null || source.allowedOrigins().allows(origin);
    }

    /** Takes back what {@link #allowIfAnySourceDoes} added, so the browser keeps the refusal from the page. */
    void withdraw(HttpServerExchange exchange) {
        HeaderMap response = exchange.getResponseHeaders();
        response.remove(ALLOW_ORIGIN);
        response.remove(ALLOW_CREDENTIALS);
        response.remove(EXPOSE_HEADERS);
    }

    /**
     * Answers an {@code OPTIONS} request: 204 with the methods, headers and max age when some source
     * allows the origin, 403 without CORS headers when none does (the browser then blocks the call).
     * It needs no write key: a browser never sends credentials with a preflight.
     */
    void preflight(HttpServerExchange exchange, HttpResponses responses) {
        HeaderMap request = exchange.getRequestHeaders();
        HeaderMap response = exchange.getResponseHeaders();
        response.put(Headers.ALLOW, METHODS);
        String origin = request.getFirst(Headers.ORIGIN);
        if (origin == null) {
            responses.empty(exchange, StatusCodes.NO_CONTENT); // not a preflight: just the methods
            return;
        }
        if (!anySource.allows(origin)) {
            response.add(Headers.VARY, "Origin");
            responses.json(exchange, StatusCodes.FORBIDDEN, HttpResponses.failure("origin_not_allowed",
                    "no source allows calls from this origin; see sources[].allowedOrigins"));
            return;
        }
        allowIfAnySourceDoes(exchange);
        response.add(Headers.VARY, "Access-Control-Request-Headers");
        response.put(ALLOW_METHODS, METHODS);
        String asked = request.getFirst(REQUEST_HEADERS);
        response.put(ALLOW_HEADERS, asked != null && HEADER_LIST.matcher(asked.trim()).matches()
                ? asked.trim() : DEFAULT_ALLOWED_HEADERS);
        response.put(MAX_AGE, MAX_AGE_SECONDS);
        if ("true".equalsIgnoreCase(request.getFirst(REQUEST_PRIVATE_NETWORK))) {
            // Chromium asks before a public page may reach Sluice on a private address.
            response.put(ALLOW_PRIVATE_NETWORK, "true");
        }
        responses.empty(exchange, StatusCodes.NO_CONTENT);
    }

    /** 403 {@code origin_not_allowed}, for a call whose source does not allow its origin. */
    void refuse(HttpServerExchange exchange, HttpResponses responses, Source source) {
        withdraw(exchange);
        responses.json(exchange, StatusCodes.FORBIDDEN, HttpResponses.failure("origin_not_allowed",
                "the source " + source.name() + " does not take calls from this origin; see its allowedOrigins"));
    }
}
