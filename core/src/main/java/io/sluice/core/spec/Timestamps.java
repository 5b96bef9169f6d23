package io.sluice.core.spec;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/** ISO-8601 date-times as the Segment libraries send them. */
public final class Timestamps {

    private static final DateTimeFormatter OUTPUT = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    /**
     * The years RFC 3339 can write (four digits). Outside them the clock-skew correction overflows
     * {@link Instant} and epoch milliseconds, so such a date-time is invalid rather than a crash.
     */
    private static final Instant EARLIEST = Instant.parse("0000-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999999Z");

    private Timestamps() {}

    /**
     * Reads a date-time with an offset ({@code 2015-02-23T22:28:55.111Z}, {@code ...+01:00}); one
     * without an offset is read as UTC, as Segment does. Dates alone are not date-times, nor are
     * instants outside the years 0000 to 9999.
     */
    public static Optional<Instant> parse(String text) {
        return parseAnyYear(text).filter(Timestamps::inRange);
    }

    /** Whether {@code instant} falls in the years 0000 to 9999, so that {@link #parse} reads back what it is written as. */
    public static boolean inRange(Instant instant) {
        return !instant.isBefore(EARLIEST) && !instant.isAfter(LATEST);
    }

    private static Optional<Instant> parseAnyYear(String text) {
        try {
            return Optional.of(OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant());
        } catch (DateTimeParseException withOffset) {
            try {
                return Optional.of(LocalDateTime.parse(text, DateTimeFormatter.ISO_LOCAL_DATE_TIME).toInstant(ZoneOffset.UTC));
            } catch (DateTimeParseException withoutOffset) {
                return Optional.empty();
            }
        }
    }

    /** The form Sluice writes: UTC with milliseconds, like analytics.js. */
    public static String format(Instant instant) {
        return OUTPUT.format(instant.truncatedTo(ChronoUnit.MILLIS));
    }
}
