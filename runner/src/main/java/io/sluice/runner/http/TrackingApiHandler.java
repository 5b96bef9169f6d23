package io.sluice.runner.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.intake.Intake;
import io.sluice.core.intake.IntakeResult;
import io.sluice.core.intake.RejectedCall;
import io.sluice.core.spec.ErrorCode;
import io.sluice.core.spec.RequestException;
import io.sluice.core.spec.SpecError;
import io.sluice.core.spec.SpecLimits;
import io.sluice.runner.deadletter.DeadLetterFile;
import io.sluice.runner.metrics.SluiceMetrics;
import io.sluice.runner.routing.Admission;
import io.sluice.runner.routing.EventObserver;
import io.sluice.runner.routing.Pipeline;
import io.sluice.runner.routing.Source;
import io.sluice.spi.event.EventType;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.StatusCodes;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/<call>} and {@code POST /v1/batch} ({@code /v1/import}), as Segment's HTTP
 * Tracking API answers them.
 *
 * <p>Cheap checks (the {@code Authorization} header, content type, encoding) answer at
 * once on the I/O thread. The body is then read without blocking, bounded by the size limit (a
 * larger {@code Content-Length} is refused before reading), and the rest (inflating, parsing,
 * routing) runs on a worker thread.
 */
final class TrackingApiHandler {

    private static final Logger LOG = LoggerFactory.getLogger(TrackingApiHandler.class);

    private final Intake intake;
    private final Pipeline pipeline;
    private final WriteKeyAuthenticator authenticator;
    private final DeadLetterFile deadLetters;
    private final SluiceMetrics metrics;
    private final HttpResponses responses;
    private final Cors cors;
    private final EventObserver observer;

    TrackingApiHandler(Intake intake, Pipeline pipeline, WriteKeyAuthenticator authenticator,
                       DeadLetterFile deadLetters, SluiceMetrics metrics, HttpResponses responses, Cors cors,
                       EventObserver observer) {
        this.intake = intake;
        this.pipeline = pipeline;
        this.authenticator = authenticator;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
        this.responses = responses;
        this.cors = cors;
        this.observer = observer;
    }

    /**
     * @param type the call a path names, or empty for a batch
     */
    void handle(HttpServerExchange exchange, Optional<EventType> type) {
        // A key in the header is checked first: a wrong one is a 401 whatever else is wrong.
        WriteKeyAuthenticator.Credentials credentials =
                WriteKeyAuthenticator.parse(exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION));
        Optional<Source> headerSource = Optional.empty();
        if (credentials instanceof WriteKeyAuthenticator.Credentials.Malformed malformed) {
            unauthorized(exchange, malformed.why());
            return;
        }
        if (credentials instanceof WriteKeyAuthenticator.Credentials.Key key) {
            headerSource = authenticator.authenticate(key.writeKey());
            if (headerSource.isEmpty()) {
                unauthorized(exchange, "the write key is not valid");
                return;
            }
            if (!cors.allows(exchange, headerSource.get())) {
                cors.refuse(exchange, responses, headerSource.get());
                return;
            }
        }
        String contentType = exchange.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
        if (!acceptedContentType(contentType)) {
            responses.json(exchange, StatusCodes.UNSUPPORTED_MEDIA_TYPE, HttpResponses.failure("unsupported_media_type",
                    "send the body as Content-Type: application/json (text/plain is accepted too)"));
            return;
        }
        boolean gzip;
        String encoding = exchange.getRequestHeaders().getFirst(Headers.CONTENT_ENCODING);
        if (encoding == null || encoding.isBlank() || encoding.trim().equalsIgnoreCase("identity")) {
            gzip = false;
        } else if (encoding.trim().equalsIgnoreCase("gzip") || encoding.trim().equalsIgnoreCase("x-gzip")) {
            gzip = true;
        } else {
            responses.json(exchange, StatusCodes.UNSUPPORTED_MEDIA_TYPE, HttpResponses.failure("unsupported_media_type",
                    "Content-Encoding must be gzip or absent"));
            return;
        }
        int limit = type.isPresent() ? SpecLimits.MAX_EVENT_BYTES : SpecLimits.MAX_BATCH_BYTES;
        ErrorCode tooLarge = type.isPresent() ? ErrorCode.EVENT_TOO_LARGE : ErrorCode.BATCH_TOO_LARGE;
        Optional<Source> authenticated = headerSource;
        BodyReader.read(exchange, limit,
                (ex, body) -> ex.dispatch(() -> answered(ex, () -> process(ex, type, body, gzip, limit, tooLarge, authenticated))),
                (ex, bodyTooLarge, error) -> {
                    if (bodyTooLarge) {
                        responses.json(ex, StatusCodes.BAD_REQUEST, HttpResponses.failure(tooLarge.code(),
                                "the body is more than " + limit + " bytes; the limit is " + limit));
                    } else {
                        LOG.debug("reading a request body failed: {}", error.toString());
                        ex.setPersistent(false);
                        ex.endExchange();
                    }
                });
    }

    private void process(HttpServerExchange exchange, Optional<EventType> type, byte[] body, boolean gzip,
                         int limit, ErrorCode tooLarge, Optional<Source> headerSource) {
        IntakeResult result;
        try {
            byte[] json = gzip ? RequestBody.gunzip(body, limit, tooLarge) : body;
            result = type.isPresent() ? intake.readCall(json, type.get()) : intake.readBatch(json);
        } catch (RequestException e) {
            SpecError error = e.error();
            headerSource.ifPresent(s -> metrics.rejected(s.name(), error.code().code()));
            responses.json(exchange, StatusCodes.BAD_REQUEST,
                    HttpResponses.failure(error.code().code(), error.message()).put("path", error.path()));
            return;
        } catch (RequestBody.InvalidGzipException e) {
            responses.json(exchange, StatusCodes.BAD_REQUEST, HttpResponses.failure(RequestBody.INVALID_GZIP, e.getMessage()));
            return;
        }

        Optional<Source> source = headerSource.isPresent() ? headerSource
                : result.writeKey().flatMap(authenticator::authenticate);
        if (source.isEmpty()) {
            unauthorized(exchange, result.writeKey().isPresent() ? "the write key is not valid"
                    : "no write key: send it as the HTTP Basic user name with an empty password, or as writeKey in the body");
            return;
        }
        if (!cors.allows(exchange, source.get())) {
            cors.refuse(exchange, responses, source.get());
            return;
        }
        String sourceName = source.get().name();

        if (type.isPresent() && !result.rejected().isEmpty()) {
            RejectedCall rejected = result.rejected().get(0);
            SpecError first = rejected.errors().get(0);
            metrics.rejected(sourceName, first.code().code());
            EventObserver.quietly(() -> observer.rejected(sourceName, rejected));
            LOG.debug("source {}: refused a {} call: {}", sourceName, type.get().wireName(), first);
            ObjectNode answer = HttpResponses.failure(first.code().code(), first.message());
            answer.set("errors", HttpResponses.errors(rejected.errors()));
            responses.json(exchange, StatusCodes.BAD_REQUEST, answer);
            return;
        }

        Admission admission = pipeline.admit(source.get(), result.accepted());
        if (admission instanceof Admission.Full full) {
            retryLater(exchange, StatusCodes.TOO_MANY_REQUESTS, "buffer_full",
                    "the delivery buffer of " + full.destination() + " is full", full.retryAfter());
            return;
        }
        if (admission instanceof Admission.BacklogFull full) {
            retryLater(exchange, StatusCodes.INSUFFICIENT_STORAGE, "backlog_full",
                    "the backlog of " + full.destination() + " is at its bound: nothing from this request was accepted",
                    full.retryAfter());
            return;
        }
        if (admission instanceof Admission.SpoolFull full) {
            retryLater(exchange, StatusCodes.INSUFFICIENT_STORAGE, "spool_full",
                    "the disk spool is full: nothing from this request was accepted", full.retryAfter());
            return;
        }
        if (admission instanceof Admission.SpoolFailed failed) {
            responses.json(exchange, StatusCodes.SERVICE_UNAVAILABLE, HttpResponses.failure("spool_unavailable",
                    failed.reason() + "; nothing from this request was accepted"));
            return;
        }
        if (admission instanceof Admission.Closed) {
            shuttingDown(exchange, responses);
            return;
        }

        if (result.rejected().isEmpty()) {
            responses.success(exchange);
            return;
        }
        ObjectNode answer = HttpResponses.success();
        var list = answer.putArray("rejected");
        for (RejectedCall rejected : result.rejected()) {
            SpecError first = rejected.errors().get(0);
            metrics.rejected(sourceName, first.code().code());
            deadLetters.rejected(sourceName, rejected.call(), rejected.errors());
            EventObserver.quietly(() -> observer.rejected(sourceName, rejected));
            list.addObject().put("path", rejected.path()).put("code", first.code().code()).put("message", first.message());
        }
        // One line a request: a bad batch of 500 calls is not 500 warnings.
        RejectedCall first = result.rejected().get(0);
        LOG.warn("source {}: dropped {} call(s) of a batch, the first at {}: {}; written to {}", sourceName,
                result.rejected().size(), first.path(), first.errors().get(0), deadLetters.path());
        responses.json(exchange, StatusCodes.OK, answer);
    }

    /**
     * Every request gets an answer. Undertow does not end an exchange whose dispatched task threw:
     * the client would wait until its own timeout. So an exception nothing else caught is logged
     * and answered 500 in Segment's error shape (the libraries send the request again).
     */
    private void answered(HttpServerExchange exchange, Runnable work) {
        try {
            work.run();
        } catch (RuntimeException e) {
            LOG.error("a request to {} failed unexpectedly", exchange.getRequestPath(), e);
            if (exchange.isResponseStarted()) {
                exchange.setPersistent(false);
                exchange.endExchange();
            } else {
                responses.json(exchange, StatusCodes.INTERNAL_SERVER_ERROR, HttpResponses.failure("internal_error",
                        "Sluice failed while handling this request; send it again"));
            }
        }
    }

    private void retryLater(HttpServerExchange exchange, int status, String code, String why, Duration after) {
        long seconds = Math.max(1, after.toSeconds());
        exchange.getResponseHeaders().put(Headers.RETRY_AFTER, Long.toString(seconds));
        responses.json(exchange, status, HttpResponses.failure(code, why + "; retry after " + seconds + " second(s)"));
    }

    private void unauthorized(HttpServerExchange exchange, String why) {
        responses.json(exchange, StatusCodes.UNAUTHORIZED, HttpResponses.failure("unauthorized", why));
    }

    static void shuttingDown(HttpServerExchange exchange, HttpResponses responses) {
        exchange.getResponseHeaders().put(Headers.RETRY_AFTER, "5");
        responses.json(exchange, StatusCodes.SERVICE_UNAVAILABLE,
                HttpResponses.failure("shutting_down", "Sluice is shutting down; send the request again later"));
    }

    /** JSON, or text/plain (analytics.js may send it to avoid a CORS preflight); no header at all is taken as JSON. */
    private static boolean acceptedContentType(String header) {
        if (header == null || header.isBlank()) {
            return true;
        }
        int semicolon = header.indexOf(';');
        String media = (semicolon < 0 ? header : header.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
        return media.equals("application/json") || media.equals("text/plain");
    }
}
