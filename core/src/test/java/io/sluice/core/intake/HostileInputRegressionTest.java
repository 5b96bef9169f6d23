package io.sluice.core.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.core.spec.ErrorCode;
import io.sluice.core.spec.RequestException;
import io.sluice.spi.event.EventType;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Inputs the HTTP edge's fuzzing (runner's HostileInputTest) found to escape intake as unchecked
 * exceptions: each must be a Spec error instead.
 */
class HostileInputRegressionTest {

    final Intake intake = new Intake(Clock.fixed(Instant.parse("2024-05-01T12:00:00Z"), ZoneOffset.UTC));

    /** Years the clock-skew correction cannot reach: were a DateTimeException (or later an overflow in the spool). */
    @ParameterizedTest
    @ValueSource(strings = {"+999999999-12-31T23:59:59Z", "-999999999-01-01T00:00:00Z", "+10000-01-01T00:00:00Z",
            "-0001-12-31T23:59:59Z", "+292278994-08-17T07:12:55.807Z"})
    void timestampsOutsideFourDigitYearsAreInvalid(String timestamp) throws Exception {
        for (String field : new String[] {"timestamp", "originalTimestamp", "sentAt"}) {
            String sentAt = field.equals("sentAt") ? "" : ",\"sentAt\":\"2024-05-01T11:59:59Z\"";
            String body = "{\"userId\":\"u\",\"event\":\"E\",\"" + field + "\":\"" + timestamp + "\"" + sentAt + "}";
            IntakeResult result = intake.readCall(body.getBytes(StandardCharsets.UTF_8), EventType.TRACK);
            assertThat(result.accepted()).as(body).isEmpty();
            assertThat(result.rejected().get(0).errors().get(0).code()).as(body).isEqualTo(ErrorCode.INVALID_TIMESTAMP);
        }
        assertThatThrownBy(() -> intake.readBatch(("{\"batch\":[{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\","
                + "\"timestamp\":\"2024-01-01T00:00:00Z\"}],\"sentAt\":\"" + timestamp + "\"}").getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(RequestException.class,
                        e -> assertThat(e.error().code()).isEqualTo(ErrorCode.INVALID_TIMESTAMP));
    }

    @Test
    void theWidestSkewThatIsValidStillNormalises() throws Exception {
        IntakeResult result = intake.readCall(("{\"userId\":\"u\",\"event\":\"E\",\"timestamp\":\"0000-01-01T00:00:00Z\","
                + "\"sentAt\":\"9999-12-31T23:59:59Z\"}").getBytes(StandardCharsets.UTF_8), EventType.TRACK);
        assertThat(result.accepted()).hasSize(1);
        assertThat(result.accepted().get(0).event().timestamp().toEpochMilli()).isNegative();
    }

    /** Jackson throws NumberFormatException (unchecked) for an exponent past int range: was an unanswered request. */
    @ParameterizedTest
    @ValueSource(strings = {"1e2147483648", "-1E-2147483649", "0.5e99999999999"})
    void numbersJacksonCannotHoldAreInvalidJson(String number) {
        for (String body : new String[] {"{\"batch\":[{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"properties\":{\"n\":"
                + number + "}}]}", "{\"batch\":[],\"context\":{\"n\":" + number + "}}"}) {
            assertThatThrownBy(() -> intake.readBatch(body.getBytes(StandardCharsets.UTF_8)))
                    .isInstanceOfSatisfying(RequestException.class,
                            e -> assertThat(e.error().code()).isEqualTo(ErrorCode.INVALID_JSON));
        }
        assertThatThrownBy(() -> intake.readCall(("{\"userId\":\"u\",\"event\":\"E\",\"properties\":{\"n\":" + number + "}}")
                .getBytes(StandardCharsets.UTF_8), EventType.TRACK))
                .isInstanceOfSatisfying(RequestException.class,
                        e -> assertThat(e.error().code()).isEqualTo(ErrorCode.INVALID_JSON));
    }
}
