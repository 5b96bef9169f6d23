package io.sluice.webhook;

import io.sluice.spi.Outcome;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** What an answer (or the lack of one) from a webhook URL means for the events it carried. */
final class StatusMapping {

    /** Whatever a server asks, never wait longer than this between tries of one batch. */
    static final Duration LONGEST_RETRY_AFTER = Duration.ofMinutes(10);

    /** @param configurationError the URL refuses this configuration: kept, and the destination unhealthy */
    record Answer(Outcome outcome, boolean configurationError) {}

    private StatusMapping() {}

    static Answer of(int status, HttpHeaders headers, String where) {
        if (status >= 200 && status < 300) {
            return new Answer(Outcome.delivered(), false);
        }
        String reason = "HTTP " + status + " from " + where;
        if (status == 408 || status == 429 || status >= 500) {
            return new Answer(Outcome.retryable(reason, retryAfter(headers, Instant.now())), false);
        }
        if (status == 401 || status == 403 || status == 404) {
            return new Answer(Outcome.retryable(reason + " (" + (status == 404 ? "no such URL" : "not authorised")
                    + ")"), true);
        }
        // Other 4xx (and 1xx, 3xx: redirects are not followed) refuse the call itself.
        return new Answer(Outcome.rejected(reason + ": the call was refused"), false);
    }

    static Outcome ofFailure(Throwable failure, Duration timeout, String where) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof HttpConnectTimeoutException) {
            return Outcome.retryable("connecting to " + where + " timed out after " + timeout.toSeconds() + " s");
        }
        if (t instanceof HttpTimeoutException) {
            return Outcome.retryable(where + " did not answer within " + timeout.toSeconds() + " s");
        }
        if (t instanceof ConnectException) {
            return Outcome.retryable("cannot connect to " + where);
        }
        return Outcome.retryable("request to " + where + " failed: " + t.getClass().getSimpleName());
    }

    /** Retry-After in seconds or as an HTTP date; zero when absent or unreadable. */
    static Duration retryAfter(HttpHeaders headers, Instant now) {
        String value = headers.firstValue("Retry-After").map(String::strip).orElse("");
        Duration wait = Duration.ZERO;
        if (value.matches("[0-9]{1,9}")) {
            wait = Duration.ofSeconds(Long.parseLong(value));
        } else if (!value.isEmpty()) {
            try {
                wait = Duration.between(now, ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            } catch (DateTimeParseException e) {
                wait = Duration.ZERO;
            }
        }
        if (wait.isNegative()) {
            return Duration.ZERO;
        }
        return wait.compareTo(LONGEST_RETRY_AFTER) > 0 ? LONGEST_RETRY_AFTER : wait;
    }
}
