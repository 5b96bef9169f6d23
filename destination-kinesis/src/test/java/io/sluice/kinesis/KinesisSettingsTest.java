package io.sluice.kinesis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.tuple;

import io.sluice.spi.settings.InvalidSettingsException;
import io.sluice.spi.settings.SettingError;
import io.sluice.spi.settings.Settings;
import io.sluice.spi.settings.SettingsSchema;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KinesisSettingsTest {

    private static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private static final SettingsSchema SCHEMA = new KinesisDestinationProvider().settingsSchema();

    @Test
    void minimalSettingsGetTheDocumentedDefaults() {
        KinesisSettings settings = KinesisSettings.from(SCHEMA.parse(Map.of("stream", "events", "region", "eu-west-1")));

        assertThat(settings.stream()).isEqualTo("events");
        assertThat(settings.streamIsArn()).isFalse();
        assertThat(settings.payloadEncoding()).isEqualTo(PayloadEncoding.BASE64);
        assertThat(settings.useMessageId()).isFalse();
        assertThat(settings.maxRecordBytes()).isEqualTo(1_048_576);
        assertThat(settings.accessKeyId()).isEmpty();
        assertThat(settings.roleArn()).isEmpty();
        assertThat(settings.endpoint()).isEmpty();
    }

    @Test
    void acceptsEverySettingTogether() {
        Map<String, Object> raw = new HashMap<>();
        raw.put("stream", "arn:aws:kinesis:eu-west-1:123456789012:stream/events");
        raw.put("region", "eu-west-1");
        raw.put("accessKeyId", "AKIAIOSFODNN7EXAMPLE");
        raw.put("secretAccessKey", SECRET);
        raw.put("roleArn", "arn:aws:iam::123456789012:role/sluice-writer");
        raw.put("externalId", "sluice-42");
        raw.put("useMessageId", "true");
        raw.put("payloadEncoding", "json");
        raw.put("endpoint", "https://vpce-1.kinesis.eu-west-1.vpce.amazonaws.com");
        raw.put("maxRecordBytes", 10_485_760);

        Settings parsed = SCHEMA.parse(raw);
        KinesisSettings settings = KinesisSettings.from(parsed);

        assertThat(settings.streamIsArn()).isTrue();
        assertThat(settings.useMessageId()).isTrue();
        assertThat(settings.payloadEncoding()).isEqualTo(PayloadEncoding.JSON);
        assertThat(settings.endpoint()).contains(URI.create("https://vpce-1.kinesis.eu-west-1.vpce.amazonaws.com"));
        assertThat(settings.secretAccessKey()).hasValueSatisfying(s -> assertThat(s.reveal()).isEqualTo(SECRET));
        assertThat(parsed.toString()).doesNotContain(SECRET);
        assertThat(settings.toString()).doesNotContain(SECRET).contains("AKIAIOSFODNN7EXAMPLE");
    }

    @Test
    void reportsEveryBrokenFieldAtOnce() {
        Map<String, Object> raw = new HashMap<>();
        raw.put("stream", "no spaces allowed");
        raw.put("region", "moon-central-1");
        raw.put("roleArn", "arn:aws:s3:::not-a-role");
        raw.put("payloadEncoding", "xml");
        raw.put("endpoint", "not a uri");
        raw.put("maxRecordBytes", 20_000_000);
        raw.put("useMessageId", "maybe");
        raw.put("shards", 4);

        List<SettingError> errors = SCHEMA.validate(raw);

        assertThat(errors).extracting(SettingError::field, SettingError::rule).containsExactlyInAnyOrder(
                tuple("stream", "stream"),
                tuple("region", "one_of"),
                tuple("roleArn", "role_arn"),
                tuple("payloadEncoding", "one_of"),
                tuple("endpoint", "uri"),
                tuple("maxRecordBytes", "range"),
                tuple("useMessageId", "type"),
                tuple("shards", "unknown_field"));
        assertThat(errors).filteredOn(e -> e.field().equals("region")).singleElement()
                .satisfies(e -> assertThat(e.message()).contains("AWS region"));
    }

    @Test
    void requiresStreamAndRegion() {
        assertThat(SCHEMA.validate(Map.of())).extracting(SettingError::field, SettingError::rule).containsExactly(
                tuple("stream", "required"),
                tuple("region", "required"));
    }

    @Test
    void rejectsMalformedStreamArnsAndTooLongNames() {
        for (String stream : List.of(
                "arn:aws:kinesis:us-east-1:123:stream/events",          // account id too short
                "arn:aws:sqs:us-east-1:123456789012:events",            // not a stream
                "arn:aws:kinesis:us-east-1:123456789012:stream/",       // no name
                "s".repeat(129))) {
            assertThat(SCHEMA.validate(Map.of("stream", stream, "region", "us-east-1")))
                    .as(stream).extracting(SettingError::field).containsExactly("stream");
        }
        assertThat(SCHEMA.validate(Map.of("stream", "a.b_c-D9".repeat(16), "region", "us-east-1"))).isEmpty();
    }

    @Test
    void streamArnMustBeInTheConfiguredRegion() {
        List<SettingError> errors = SCHEMA.validate(Map.of(
                "stream", "arn:aws:kinesis:eu-west-1:123456789012:stream/events", "region", "us-east-1"));

        assertThat(errors).singleElement().satisfies(e -> {
            assertThat(e.field()).isEqualTo("stream");
            assertThat(e.message()).contains("eu-west-1").contains("us-east-1");
        });
    }

    @Test
    void keysComeInPairsAndExternalIdNeedsARole() {
        assertThat(SCHEMA.validate(Map.of("stream", "s", "region", "us-east-1", "accessKeyId", "AKIA1")))
                .extracting(SettingError::field, SettingError::rule)
                .containsExactly(tuple("secretAccessKey", "required_with"));
        assertThat(SCHEMA.validate(Map.of("stream", "s", "region", "us-east-1", "externalId", "ext-1")))
                .extracting(SettingError::field, SettingError::rule)
                .containsExactly(tuple("externalId", "requires"));
    }

    @Test
    void theSecretNeverAppearsInErrorsOrToString() {
        Map<String, Object> raw = new HashMap<>();
        raw.put("stream", "bad stream");
        raw.put("region", "nowhere");
        raw.put("secretAccessKey", SECRET);   // without accessKeyId

        Throwable thrown = catchThrowable(() -> SCHEMA.parse(raw));

        assertThat(thrown).isInstanceOf(InvalidSettingsException.class).hasMessageNotContaining(SECRET);
        assertThat(((InvalidSettingsException) thrown).errors())
                .extracting(SettingError::field).containsExactlyInAnyOrder("stream", "region", "accessKeyId");
        assertThat(((InvalidSettingsException) thrown).errors())
                .allSatisfy(e -> assertThat(e.toString()).doesNotContain(SECRET));

        Settings valid = SCHEMA.parse(Map.of("stream", "s", "region", "us-east-1",
                "accessKeyId", "AKIA1", "secretAccessKey", SECRET));
        assertThat(valid.toString()).doesNotContain(SECRET);
        assertThat(valid.masked().toString()).doesNotContain(SECRET);
    }
}
