package io.sluice.core.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The hand-written reading and writing of date-times agrees with {@link DateTimeFormatter}'s, which they replace on the common path. */
class TimestampsTest {

    static final Instant EARLIEST = Instant.parse("0000-01-01T00:00:00Z");
    static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999999Z");
    static final DateTimeFormatter OUTPUT = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    @Test
    void formatWritesWhatTheFormatterWrote() {
        Random random = new Random(12);
        List<Instant> instants = new ArrayList<>(List.of(EARLIEST, LATEST, Instant.EPOCH, Instant.ofEpochMilli(-1),
                Instant.parse("2024-02-29T23:59:59.999999Z"), Instant.parse("1969-12-31T23:59:59.000000001Z")));
        for (int i = 0; i < 20_000; i++) {
            instants.add(Instant.ofEpochSecond(EARLIEST.getEpochSecond()
                    + (long) (random.nextDouble() * (LATEST.getEpochSecond() - EARLIEST.getEpochSecond())), random.nextInt(1_000_000_000)));
        }
        for (Instant instant : instants) {
            assertThat(Timestamps.format(instant)).isEqualTo(OUTPUT.format(instant.truncatedTo(ChronoUnit.MILLIS)));
        }
    }

    @Test
    void parseReadsWhatTheFormatterRead() {
        List<String> texts = new ArrayList<>(List.of("2015-02-23T22:28:55.111Z", "2015-02-23T22:28:55Z", "2015-02-23T22:28:55",
                "2015-02-23T22:28:55.1+01:00", "2015-02-23T22:28:55.123456789-05:30", "2015-02-23T22:28:55.1234567891Z",
                "2015-02-23T22:28:55.Z", "2015-02-23T22:28Z", "2015-02-23t22:28:55z", "2015-02-29T00:00:00Z", "2016-02-29T00:00:00Z",
                "2015-04-31T00:00:00Z", "2015-13-01T00:00:00Z", "2015-00-01T00:00:00Z", "2015-01-00T00:00:00Z",
                "2015-02-23T24:00:00Z", "2015-02-23T23:60:00Z", "2015-02-23T23:59:60Z", "2015-02-23T22:28:55+18:00",
                "2015-02-23T22:28:55+19:00", "2015-02-23T22:28:55-00:00", "2015-02-23T22:28:55+01:60", "2015-02-23T22:28:55+0100",
                "2015-02-23T22:28:55+01:00:30", "2015-02-23T22:28:55+01", "0000-01-01T00:00:00Z", "0000-01-01T00:00:00+01:00",
                "9999-12-31T23:59:59.999Z", "9999-12-31T23:59:59-01:00", "+10000-01-01T00:00:00Z", "2015-02-23", "",
                "2015-02-23T22:28:55.111Z ", "2015-02-23 22:28:55Z", "２０15-02-23T22:28:55Z", "2015-02-23T22:28:5aZ"));
        Random random = new Random(34);
        for (int i = 0; i < 20_000; i++) {
            StringBuilder text = new StringBuilder(String.format("%04d-%02d-%02dT%02d:%02d:%02d", random.nextInt(10_000),
                    random.nextInt(14), random.nextInt(33), random.nextInt(25), random.nextInt(61), random.nextInt(61)));
            if (random.nextBoolean()) {
                text.append('.').append(String.valueOf(random.nextLong() & Long.MAX_VALUE), 0, random.nextInt(11));
            }
            switch (random.nextInt(3)) {
                case 0 -> text.append('Z');
                case 1 -> text.append(String.format("%s%02d:%02d", random.nextBoolean() ? "+" : "-", random.nextInt(20), random.nextInt(61)));
                default -> { }
            }
            texts.add(text.toString());
        }
        for (String text : texts) {
            assertThat(Timestamps.parse(text)).as(text).isEqualTo(reference(text));
        }
    }

    /** What {@link Timestamps#parse} read before it had a hand-written path. */
    private static Optional<Instant> reference(String text) {
        Optional<Instant> instant;
        try {
            instant = Optional.of(OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant());
        } catch (DateTimeParseException withOffset) {
            try {
                instant = Optional.of(LocalDateTime.parse(text, DateTimeFormatter.ISO_LOCAL_DATE_TIME).toInstant(ZoneOffset.UTC));
            } catch (DateTimeParseException withoutOffset) {
                instant = Optional.empty();
            }
        }
        return instant.filter(i -> !i.isBefore(EARLIEST) && !i.isAfter(LATEST));
    }
}
