package io.sluice.core.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.core.spec.ErrorCode;
import io.sluice.core.spec.ParsedRequest;
import io.sluice.core.spec.RequestException;
import io.sluice.core.spec.SpecError;
import io.sluice.core.spec.SpecParser;
import io.sluice.spi.event.EventType;
import io.sluice.spi.settings.Secret;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** One test per rule of the Spec checklist: parse, validate, normalise. */
class SpecRulesTest {

    static final Instant NOW = Instant.parse("2024-05-01T12:00:00.000Z");
    final Intake intake = new Intake(Clock.fixed(NOW, ZoneOffset.UTC));

    IntakeResult call(EventType type, String json) throws RequestException {
        return intake.readCall(json.getBytes(StandardCharsets.UTF_8), type);
    }

    IntakeResult batch(String json) throws RequestException {
        return intake.readBatch(json.getBytes(StandardCharsets.UTF_8));
    }

    List<SpecError> errorsOf(String json) throws RequestException {
        IntakeResult result = batch("{\"batch\":[" + json + "]}");
        assertThat(result.rejected()).as("rejected calls").hasSize(1);
        assertThat(result.accepted()).isEmpty();
        return result.rejected().get(0).errors();
    }

    static String only(List<SpecError> errors) {
        assertThat(errors).hasSize(1);
        return errors.get(0).code().code() + " " + errors.get(0).path();
    }

    @Nested
    class Parse {
        @Test
        void singleCallTakesItsTypeFromThePath() throws Exception {
            IntakeResult result = call(EventType.TRACK, "{\"userId\":\"u\",\"event\":\"E\",\"type\":\"identify\"}");
            assertThat(result.accepted()).singleElement().satisfies(a -> assertThat(a.event().type()).isEqualTo(EventType.TRACK));
        }

        @Test
        void batchMergesTopLevelContextAndIntegrationsIntoEachItem() throws Exception {
            IntakeResult result = batch("{\"batch\":["
                    + "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"A\",\"context\":{\"ip\":\"own\"}},"
                    + "{\"type\":\"identify\",\"userId\":\"u\",\"integrations\":{\"X\":true}}],"
                    + "\"context\":{\"ip\":\"batch\",\"library\":{\"name\":\"analytics-java\"}},"
                    + "\"integrations\":{\"All\":false}}");
            assertThat(result.accepted()).hasSize(2);
            String first = result.accepted().get(0).event().jsonText();
            String second = result.accepted().get(1).event().jsonText();
            assertThat(first).contains("\"context\":{\"ip\":\"own\",\"library\":{\"name\":\"analytics-java\"}}")
                    .contains("\"integrations\":{\"All\":false}");
            assertThat(second).contains("\"context\":{\"ip\":\"batch\",\"library\":{\"name\":\"analytics-java\"}}")
                    .contains("\"integrations\":{\"X\":true,\"All\":false}");
            assertThat(result.accepted().get(0).integrations().enables("X")).isFalse();
            assertThat(result.accepted().get(1).integrations().enables("X")).isTrue();
        }

        @Test
        void writeKeyIsTakenOutOfSingleCalls() throws Exception {
            IntakeResult result = call(EventType.TRACK, "{\"writeKey\":\"wk_1\",\"userId\":\"u\",\"event\":\"E\"}");
            assertThat(result.writeKey()).contains("wk_1");
            assertThat(result.accepted().get(0).event().jsonText()).doesNotContain("wk_1").doesNotContain("writeKey");
        }

        @Test
        void writeKeyIsTakenOutOfBatchesAndTheirItems() throws Exception {
            IntakeResult result = batch("{\"writeKey\":\"wk_top\",\"batch\":[{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"writeKey\":\"wk_item\"}]}");
            assertThat(result.writeKey()).contains("wk_top");
            assertThat(result.accepted().get(0).event().jsonText()).doesNotContain("wk_").doesNotContain("writeKey");

            IntakeResult itemOnly = batch("{\"batch\":[{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"writeKey\":\"wk_item\"}]}");
            assertThat(itemOnly.writeKey()).contains("wk_item");
        }

        @Test
        void writeKeyNeverShowsInToString() throws Exception {
            String body = "{\"writeKey\":\"wk_secret\",\"batch\":[{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\"}]}";
            IntakeResult result = batch(body);
            ParsedRequest parsed = new SpecParser().parseBatch(body.getBytes(StandardCharsets.UTF_8));
            assertThat(result.writeKey()).contains("wk_secret");
            assertThat(parsed.writeKey()).contains("wk_secret");
            assertThat(result.toString()).doesNotContain("wk_secret").contains("writeKey=Optional[" + Secret.MASK + "]")
                    .contains("accepted=[");
            assertThat(parsed.toString()).doesNotContain("wk_secret").contains("writeKey=Optional[" + Secret.MASK + "]")
                    .contains("calls=[");
        }

        @ParameterizedTest
        @ValueSource(strings = {"{}", "[\"wk_top\"]", "{\"key\":[\"wk_top\"]}", "7", "null"})
        void batchWriteKeyThatIsNotAStringIsIgnored(String writeKey) throws Exception {
            IntakeResult result = batch("{\"writeKey\":" + writeKey
                    + ",\"batch\":[{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"writeKey\":\"wk_item\"}]}");
            assertThat(result.writeKey()).contains("wk_item");
            assertThat(result.accepted()).singleElement()
                    .satisfies(a -> assertThat(a.event().jsonText()).doesNotContain("wk_").doesNotContain("writeKey"));
        }

        @Test
        void invalidJsonIsARequestError() {
            assertThatThrownBy(() -> batch("{\"batch\":[{\"type\":"))
                    .isInstanceOfSatisfying(RequestException.class, e -> assertThat(e.error().code()).isEqualTo(ErrorCode.INVALID_JSON));
            assertThatThrownBy(() -> call(EventType.TRACK, "{} {}"))
                    .isInstanceOfSatisfying(RequestException.class, e -> assertThat(e.error().code()).isEqualTo(ErrorCode.INVALID_JSON));
            assertThatThrownBy(() -> call(EventType.TRACK, ""))
                    .isInstanceOfSatisfying(RequestException.class, e -> assertThat(e.error().code()).isEqualTo(ErrorCode.INVALID_JSON));
        }

        @Test
        void bodyMustBeAnObject() {
            assertThatThrownBy(() -> call(EventType.TRACK, "[1]"))
                    .isInstanceOfSatisfying(RequestException.class, e -> assertThat(e.error().code()).isEqualTo(ErrorCode.NOT_AN_OBJECT));
        }

        @Test
        void batchMustHoldAnArray() {
            assertThatThrownBy(() -> batch("{\"batch\":{}}"))
                    .isInstanceOfSatisfying(RequestException.class, e -> assertThat(e.error().code()).isEqualTo(ErrorCode.INVALID_BATCH));
            assertThatThrownBy(() -> batch("{\"context\":{}}"))
                    .isInstanceOfSatisfying(RequestException.class, e -> assertThat(e.error().code()).isEqualTo(ErrorCode.INVALID_BATCH));
        }

        @Test
        void batchItemThatIsNotAnObjectIsRejectedAlone() throws Exception {
            IntakeResult result = batch("{\"batch\":[42,{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\"}]}");
            assertThat(result.accepted()).hasSize(1);
            assertThat(only(result.rejected().get(0).errors())).isEqualTo("not_an_object $.batch[0]");
        }

        @Test
        void batchOver500KbIsARequestError() {
            String padding = "x".repeat(500 * 1024);
            assertThatThrownBy(() -> batch("{\"batch\":[],\"pad\":\"" + padding + "\"}"))
                    .isInstanceOfSatisfying(RequestException.class, e -> assertThat(e.error().code()).isEqualTo(ErrorCode.BATCH_TOO_LARGE));
        }

        @Test
        void deepNestingIsRefused() {
            String deep = "[".repeat(1000) + "]".repeat(1000);
            assertThatThrownBy(() -> call(EventType.TRACK, "{\"userId\":\"u\",\"event\":\"E\",\"properties\":{\"a\":" + deep + "}}"))
                    .isInstanceOfSatisfying(RequestException.class, e -> assertThat(e.error().message()).contains("nesting depth"));
        }
    }

    @Nested
    class Validate {
        @ParameterizedTest
        @ValueSource(strings = {"{\"userId\":\"u\"}", "{\"type\":\"purchase\",\"userId\":\"u\"}", "{\"type\":\"Track\",\"userId\":\"u\",\"event\":\"E\"}", "{\"type\":7,\"userId\":\"u\"}"})
        void typeIsOneOfTheSixCalls(String json) throws Exception {
            assertThat(only(errorsOf(json))).isEqualTo("invalid_type $.batch[0].type");
        }

        @ParameterizedTest
        @ValueSource(strings = {"identify", "track", "page", "screen", "group"})
        void everyCallButAliasNeedsUserIdOrAnonymousId(String type) throws Exception {
            String extra = type.equals("track") ? ",\"event\":\"E\"" : type.equals("group") ? ",\"groupId\":\"g\"" : "";
            assertThat(only(errorsOf("{\"type\":\"" + type + "\",\"userId\":\"\"" + extra + "}"))).isEqualTo("no_user_anon_id $.batch[0].userId");
            assertThat(batch("{\"batch\":[{\"type\":\"" + type + "\",\"anonymousId\":\"a\"" + extra + "}]}").accepted()).hasSize(1);
            assertThat(batch("{\"batch\":[{\"type\":\"" + type + "\",\"userId\":42" + extra + "}]}").accepted()).hasSize(1);
        }

        @Test
        void idsAreStringsOrNumbers() throws Exception {
            assertThat(only(errorsOf("{\"type\":\"identify\",\"userId\":\"u\",\"anonymousId\":{\"a\":1}}"))).isEqualTo("invalid_id $.batch[0].anonymousId");
        }

        @Test
        void trackNeedsEvent() throws Exception {
            assertThat(only(errorsOf("{\"type\":\"track\",\"userId\":\"u\"}"))).isEqualTo("missing_event $.batch[0].event");
            assertThat(only(errorsOf("{\"type\":\"track\",\"userId\":\"u\",\"event\":\"\"}"))).isEqualTo("missing_event $.batch[0].event");
        }

        @Test
        void groupNeedsGroupId() throws Exception {
            assertThat(only(errorsOf("{\"type\":\"group\",\"userId\":\"u\"}"))).isEqualTo("missing_group_id $.batch[0].groupId");
        }

        @Test
        void aliasNeedsUserIdAndPreviousId() throws Exception {
            assertThat(errorsOf("{\"type\":\"alias\",\"anonymousId\":\"a\"}"))
                    .extracting(e -> e.code().code() + " " + e.path())
                    .containsExactly("missing_user_id $.batch[0].userId", "missing_previous_id $.batch[0].previousId");
            assertThat(batch("{\"batch\":[{\"type\":\"alias\",\"userId\":\"u\",\"previousId\":\"p\"}]}").accepted()).hasSize(1);
        }

        @ParameterizedTest
        @ValueSource(strings = {"properties", "traits", "context", "integrations"})
        void objectFieldsAreObjects(String field) throws Exception {
            assertThat(only(errorsOf("{\"type\":\"identify\",\"userId\":\"u\",\"" + field + "\":[1]}")))
                    .isEqualTo("field_not_an_object $.batch[0]." + field);
            assertThat(batch("{\"batch\":[{\"type\":\"identify\",\"userId\":\"u\",\"" + field + "\":null}]}").accepted()).hasSize(1);
        }

        @Test
        void messageIdIsAtMost100Characters() throws Exception {
            assertThat(only(errorsOf("{\"type\":\"identify\",\"userId\":\"u\",\"messageId\":\"" + "m".repeat(101) + "\"}")))
                    .isEqualTo("invalid_message_id $.batch[0].messageId");
            assertThat(batch("{\"batch\":[{\"type\":\"identify\",\"userId\":\"u\",\"messageId\":\"" + "m".repeat(100) + "\"}]}").accepted()).hasSize(1);
        }

        @ParameterizedTest
        @ValueSource(strings = {"timestamp", "sentAt", "originalTimestamp"})
        void timestampsAreIso8601(String field) throws Exception {
            assertThat(only(errorsOf("{\"type\":\"identify\",\"userId\":\"u\",\"" + field + "\":\"yesterday\"}")))
                    .isEqualTo("invalid_timestamp $.batch[0]." + field);
            assertThat(only(errorsOf("{\"type\":\"identify\",\"userId\":\"u\",\"" + field + "\":1700000000}")))
                    .isEqualTo("invalid_timestamp $.batch[0]." + field);
            assertThat(batch("{\"batch\":[{\"type\":\"identify\",\"userId\":\"u\",\"" + field + "\":\"2024-05-01T10:00:00+02:00\"}]}").accepted()).hasSize(1);
        }

        @Test
        void anEventIsAtMost32Kb() throws Exception {
            String envelope = "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"properties\":{\"p\":\"\"}}";
            String fits = "x".repeat(32 * 1024 - envelope.length());
            String overflows = fits + "x";
            assertThat(batch("{\"batch\":[" + envelope.replace("\"p\":\"\"", "\"p\":\"" + fits + "\"") + "]}").accepted()).hasSize(1);
            assertThat(only(errorsOf(envelope.replace("\"p\":\"\"", "\"p\":\"" + overflows + "\"")))).isEqualTo("event_too_large $.batch[0]");
            assertThatThrownBy(() -> call(EventType.TRACK, envelope.replace("\"p\":\"\"", "\"p\":\"" + overflows + "\"")))
                    .isInstanceOfSatisfying(RequestException.class, e -> assertThat(e.error().code()).isEqualTo(ErrorCode.EVENT_TOO_LARGE));
        }

        @Test
        void everyBrokenRuleIsReportedWithItsPath() throws Exception {
            List<SpecError> errors = errorsOf("{\"type\":\"track\",\"properties\":\"x\",\"timestamp\":\"never\"}");
            assertThat(errors).extracting(e -> e.code().code())
                    .containsExactly("no_user_anon_id", "missing_event", "field_not_an_object", "invalid_timestamp");
            assertThat(errors).allSatisfy(e -> assertThat(e.message()).isNotBlank());
        }
    }

    @Nested
    class Normalise {
        @Test
        void messageIdIsSetWhenAbsent() throws Exception {
            var event = call(EventType.TRACK, "{\"userId\":\"u\",\"event\":\"E\"}").accepted().get(0).event();
            assertThat(event.messageId()).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
            assertThat(event.jsonText()).contains("\"messageId\":\"" + event.messageId() + "\"");
        }

        @Test
        void messageIdIsKeptWhenGiven() throws Exception {
            var event = call(EventType.TRACK, "{\"userId\":\"u\",\"event\":\"E\",\"messageId\":\"m-1\"}").accepted().get(0).event();
            assertThat(event.messageId()).isEqualTo("m-1");
        }

        @Test
        void receivedAtIsSet() throws Exception {
            var event = call(EventType.TRACK, "{\"userId\":\"u\",\"event\":\"E\",\"receivedAt\":\"1999-01-01T00:00:00Z\"}").accepted().get(0).event();
            assertThat(event.receivedAt()).isEqualTo(NOW);
            assertThat(event.jsonText()).contains("\"receivedAt\":\"2024-05-01T12:00:00.000Z\"");
        }

        @Test
        void originalTimestampKeepsTheClientsTimestamp() throws Exception {
            var event = call(EventType.TRACK, "{\"userId\":\"u\",\"event\":\"E\",\"timestamp\":\"2024-05-01T11:00:00Z\",\"sentAt\":\"2024-05-01T11:00:05Z\"}")
                    .accepted().get(0).event();
            assertThat(event.jsonText()).contains("\"originalTimestamp\":\"2024-05-01T11:00:00Z\"");
        }

        @Test
        void clockSkewIsCorrectedWithSentAt() throws Exception {
            // The client's clock is an hour behind: it stamped 11:00:00 and sent 5 s later at its 11:00:05.
            var event = call(EventType.TRACK, "{\"userId\":\"u\",\"event\":\"E\",\"timestamp\":\"2024-05-01T11:00:00Z\",\"sentAt\":\"2024-05-01T11:00:05Z\"}")
                    .accepted().get(0).event();
            assertThat(event.timestamp()).isEqualTo(Instant.parse("2024-05-01T11:59:55Z"));
            assertThat(event.jsonText()).contains("\"timestamp\":\"2024-05-01T11:59:55.000Z\"");
        }

        @Test
        void batchSentAtCorrectsEveryItem() throws Exception {
            var result = batch("{\"sentAt\":\"2024-05-01T11:00:05Z\",\"batch\":["
                    + "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"timestamp\":\"2024-05-01T11:00:00Z\"},"
                    + "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"timestamp\":\"2024-05-01T11:00:04Z\"}]}");
            assertThat(result.accepted()).extracting(a -> a.event().timestamp())
                    .containsExactly(Instant.parse("2024-05-01T11:59:55Z"), Instant.parse("2024-05-01T11:59:59Z"));
            assertThat(result.accepted().get(0).event().jsonText()).contains("\"sentAt\":\"2024-05-01T11:00:05.000Z\"");
        }

        @ParameterizedTest
        @ValueSource(strings = {"0001-01-01T00:00:00Z|9999-12-31T23:59:59Z", "9999-01-01T00:00:00Z|0001-12-31T23:59:59Z"})
        void skewCorrectionOutsideTheYears0000To9999IsNotMade(String timestampAndSentAt) throws Exception {
            String timestamp = timestampAndSentAt.split("\\|")[0];
            String sentAt = timestampAndSentAt.split("\\|")[1];
            var event = call(EventType.TRACK, "{\"userId\":\"u\",\"event\":\"E\",\"timestamp\":\"" + timestamp
                    + "\",\"sentAt\":\"" + sentAt + "\"}").accepted().get(0).event();
            assertThat(event.timestamp()).isEqualTo(Instant.parse(timestamp));
            assertThat(event.jsonText()).contains("\"timestamp\":\"" + timestamp + "\"");
            IntakeResult resent = call(EventType.TRACK, event.jsonText());
            assertThat(resent.rejected()).as("the normalised event sent again").isEmpty();
            assertThat(resent.accepted().get(0).event().timestamp()).isEqualTo(Instant.parse(timestamp));
        }

        @Test
        void timestampWithoutSentAtIsKeptAsSent() throws Exception {
            var event = call(EventType.TRACK, "{\"userId\":\"u\",\"event\":\"E\",\"timestamp\":\"2024-05-01T11:00:00+02:00\"}").accepted().get(0).event();
            assertThat(event.timestamp()).isEqualTo(Instant.parse("2024-05-01T09:00:00Z"));
            assertThat(event.jsonText()).contains("\"timestamp\":\"2024-05-01T11:00:00+02:00\"");
        }

        @Test
        void timestampDefaultsToReceivedAt() throws Exception {
            var event = call(EventType.TRACK, "{\"userId\":\"u\",\"event\":\"E\"}").accepted().get(0).event();
            assertThat(event.timestamp()).isEqualTo(NOW);
            assertThat(event.jsonText()).contains("\"timestamp\":\"2024-05-01T12:00:00.000Z\"");
        }

        @Test
        void unicodeIsWrittenAsUtf8NotEscaped() throws Exception {
            String text = "😀 𝄞 日本語 عربى é\u0301";
            var event = call(EventType.TRACK, "{\"userId\":\"u\",\"event\":\"" + text + "\"}").accepted().get(0).event();
            assertThat(event.jsonText()).contains("\"event\":\"" + text + "\"");
            assertThat(event.eventName()).contains(text);
        }

        @Test
        void numbersAreDeliveredAsSent() throws Exception {
            String props = "{\"big\":123456789012345678901234567890,\"exact\":0.1000000000000000055511151231257827,\"max\":9223372036854775807,\"tiny\":-1.5E-300}";
            var event = call(EventType.TRACK, "{\"userId\":\"u\",\"event\":\"E\",\"properties\":" + props + "}").accepted().get(0).event();
            assertThat(event.jsonText()).contains("\"properties\":" + props);
        }
    }
}
