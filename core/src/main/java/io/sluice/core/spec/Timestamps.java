package io.sluice.core.spec;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.Month;
import java.time.Year;
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

    private static final int[] POWERS_OF_TEN = {1, 10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000};

    private Timestamps() {}

    /**
     * Reads a date-time with an offset ({@code 2015-02-23T22:28:55.111Z}, {@code ...+01:00}); one
     * without an offset is read as UTC, as Segment does. Dates alone are not date-times, nor are
     * instants outside the years 0000 to 9999.
     */
    public static Optional<Instant> parse(String text) {
        Instant common = parseCommon(text);
        return (common != null ? Optional.of(common) : parseAnyYear(text)).filter(Timestamps::inRange);
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

    /**
     * The shape the Segment libraries send, {@code 2015-02-23T22:28:55[.111](Z|+01:00|)}, read without
     * {@link DateTimeFormatter}, which was most of the validator's time; null for any other text, and
     * for fields out of their range, which the formatter then decides.
     */
    private static Instant parseCommon(String text) {
        int length = text.length();
        if (length < 19 || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T'
                || text.charAt(13) != ':' || text.charAt(16) != ':') {
            return null;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 2);
        int day = digits(text, 8, 2);
        int hour = digits(text, 11, 2);
        int minute = digits(text, 14, 2);
        int second = digits(text, 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > Month.of(month).length(Year.isLeap(year))
                || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return null;
        }
        int i = 19;
        int nanos = 0;
        if (i < length && text.charAt(i) == '.') {
            int start = ++i;
            while (i < length && i - start < 10 && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
                i++;
            }
            if (i == start || i - start > 9) {
                return null;
            }
            nanos = digits(text, start, i - start) * POWERS_OF_TEN[9 - (i - start)];
        }
        int offsetSeconds;
        if (i == length) {
            offsetSeconds = 0;
        } else if (i + 1 == length && text.charAt(i) == 'Z') {
            offsetSeconds = 0;
        } else if (i + 6 == length && (text.charAt(i) == '+' || text.charAt(i) == '-') && text.charAt(i + 3) == ':') {
            int offsetHours = digits(text, i + 1, 2);
            int offsetMinutes = digits(text, i + 4, 2);
            if (offsetHours < 0 || offsetHours > 17 || offsetMinutes < 0 || offsetMinutes > 59) {
                return null;
            }
            offsetSeconds = (text.charAt(i) == '-' ? -1 : 1) * (offsetHours * 3600 + offsetMinutes * 60);
        } else {
            return null;
        }
        long epochDay = LocalDate.of(year, month, day).toEpochDay();
        return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds, nanos);
    }

    /** The decimal number of {@code count} ASCII digits from {@code start}, or -1. */
    private static int digits(String text, int start, int count) {
        int value = 0;
        for (int i = start; i < start + count; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    /** The form Sluice writes: UTC with milliseconds, like analytics.js. */
    public static String format(Instant instant) {
        if (!inRange(instant)) {
            return OUTPUT.format(instant.truncatedTo(ChronoUnit.MILLIS));
        }
        LocalDateTime utc = LocalDateTime.ofEpochSecond(instant.getEpochSecond(), instant.getNano(), ZoneOffset.UTC);
        // Written by hand: DateTimeFormatter was a visible share of the time spent per event.
        char[] out = new char[24];
        pad(out, 0, utc.getYear(), 4);
        out[4] = '-';
        pad(out, 5, utc.getMonthValue(), 2);
        out[7] = '-';
        pad(out, 8, utc.getDayOfMonth(), 2);
        out[10] = 'T';
        pad(out, 11, utc.getHour(), 2);
        out[13] = ':';
        pad(out, 14, utc.getMinute(), 2);
        out[16] = ':';
        pad(out, 17, utc.getSecond(), 2);
        out[19] = '.';
        pad(out, 20, utc.getNano() / 1_000_000, 3);
        out[23] = 'Z';
        return new String(out);
    }

    private static void pad(char[] out, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            out[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }
}
