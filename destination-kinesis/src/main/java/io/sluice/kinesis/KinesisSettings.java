package io.sluice.kinesis;

import io.sluice.spi.settings.CrossCheck;
import io.sluice.spi.settings.Secret;
import io.sluice.spi.settings.Setting;
import io.sluice.spi.settings.SettingError;
import io.sluice.spi.settings.Settings;
import io.sluice.spi.settings.SettingsSchema;
import io.sluice.spi.settings.Validator;
import io.sluice.spi.settings.Validators;
import java.net.URI;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.RegionMetadata;

/**
 * The Kinesis destination's settings: {@link #SCHEMA} declares them once, {@link #from} reads
 * validated {@link Settings} into typed values. {@link #toString()} masks the secret.
 */
record KinesisSettings(
        String stream,
        String region,
        Optional<String> accessKeyId,
        Optional<Secret> secretAccessKey,
        Optional<String> roleArn,
        Optional<String> externalId,
        boolean useMessageId,
        PayloadEncoding payloadEncoding,
        Optional<URI> endpoint,
        long maxRecordBytes) {

    static final String STREAM = "stream";
    static final String REGION = "region";
    static final String ACCESS_KEY_ID = "accessKeyId";
    static final String SECRET_ACCESS_KEY = "secretAccessKey";
    static final String ROLE_ARN = "roleArn";
    static final String EXTERNAL_ID = "externalId";
    static final String USE_MESSAGE_ID = "useMessageId";
    static final String PAYLOAD_ENCODING = "payloadEncoding";
    static final String ENDPOINT = "endpoint";
    static final String MAX_RECORD_BYTES = "maxRecordBytes";

    private static final String STREAM_NAME = "[a-zA-Z0-9_.-]{1,128}";
    /** arn:aws:kinesis:{region}:{account-id}:stream/{stream-name}, in any AWS partition. */
    private static final Pattern STREAM_ARN =
            Pattern.compile("arn:aws[a-z-]*:kinesis:([a-z0-9-]+):[0-9]{12}:stream/" + STREAM_NAME);

    /** The SDK's regions a stream can live in (not its global pseudo-regions such as aws-global), sorted. */
    static final SettingsSchema SCHEMA = SettingsSchema.builder()
            .add(Setting.string(STREAM).required().label("Stream").group("Stream")
                    .validator(Validators.matches("stream", STREAM_NAME + "|" + STREAM_ARN.pattern(),
                            "a stream name (1 to 128 letters, digits, '_', '.' or '-') or a stream ARN "
                                    + "arn:aws:kinesis:{region}:{account-id}:stream/{stream-name}"))
                    .description("The Kinesis data stream to write to: its name, or its ARN "
                            + "arn:aws:kinesis:{region}:{account-id}:stream/{stream-name}."))
            .add(Setting.string(REGION).required().label("AWS region").group("Stream")
                    .validator(regions())
                    .description("The AWS region of the stream, e.g. us-east-1."))
            .add(Setting.string(ACCESS_KEY_ID).optional().label("Access key ID").group("Credentials")
                    .description("AWS access key ID. Give it with secretAccessKey, or leave both out to use "
                            + "roleArn on the SDK's default credentials, or the default credentials alone."))
            .add(Setting.secret(SECRET_ACCESS_KEY).optional().label("Secret access key").group("Credentials")
                    .description("AWS secret access key that belongs to accessKeyId. Never shown or logged."))
            .add(Setting.arn(ROLE_ARN).optional().label("Role ARN").group("Credentials")
                    .validator(Validators.matches("role_arn", "arn:aws[a-z-]*:iam::[0-9]{12}:role/.+",
                            "an IAM role ARN, arn:aws:iam::{account-id}:role/{role-name}"))
                    .description("An IAM role to assume through STS (session name \"sluice\"), signed with "
                            + "the access keys when given, else with the SDK's default credentials."))
            .add(Setting.string(EXTERNAL_ID).optional().label("External ID").group("Credentials")
                    .validator(Validators.matches("external_id", "[\\w+=,.@:/-]{2,1224}",
                            "2 to 1224 letters, digits or the characters +=,.@:/-"))
                    .description("The external ID the role's trust policy requires. Only with roleArn."))
            .add(Setting.bool(USE_MESSAGE_ID).defaultValue(false).label("Partition by messageId").group("Records")
                    .description("Partition by messageId instead of userId/anonymousId: spreads a hot user's "
                            + "events over all shards; one user's events no longer share a shard."))
            .add(Setting.enumeration(PAYLOAD_ENCODING, "base64", "json").defaultValue("base64")
                    .label("Payload encoding").group("Records")
                    .valueLabels(java.util.Map.of("base64", "Base64 text of the JSON (Segment's format)", "json", "JSON bytes"))
                    .description("base64: Data holds the Base64 text of the JSON message, as Segment sends "
                            + "it (consumers base64-decode the record bytes). json: Data holds the JSON bytes."))
            .add(Setting.uri(ENDPOINT).optional().label("Endpoint override").group("Connection")
                    .description("Overrides the Kinesis endpoint, e.g. a VPC endpoint "
                            + "https://vpce-...kinesis.us-east-1.vpce.amazonaws.com or a local server."))
            .add(Setting.integer(MAX_RECORD_BYTES).defaultValue(1_048_576).label("Largest record (bytes)").group("Records")
                    .validator(Validators.between(1, 10_485_760))
                    .description("The largest record, in bytes: encoded data plus partition key. Larger "
                            + "events are rejected before sending. Kinesis allows 1 MiB by default, up to "
                            + "10 MiB when the stream is configured for it."))
            .crossCheck(bothOrNeither())
            .crossCheck(externalIdNeedsRole())
            .crossCheck(arnRegionMatches())
            .build();

    /**
     * The regions the AWS SDK knows, checked on the server and offered to forms as a choice list
     * ({@code enum}, with each region's name as its label). The SDK's global pseudo-regions
     * ({@code aws-global} and the like) hold no streams, so they are not offered.
     */
    private static Validator regions() {
        List<Region> known = Region.regions().stream().filter(r -> !r.isGlobalRegion())
                .sorted(Comparator.comparing(Region::id)).toList();
        List<String> ids = known.stream().map(Region::id).toList();
        Map<String, Object> labels = new LinkedHashMap<>();
        for (Region region : known) {
            RegionMetadata metadata = region.metadata();
            labels.put(region.id(), metadata == null ? region.id() : region.id() + " (" + metadata.description() + ")");
        }
        return Validator.of(Validators.memberOf(ids, "an AWS region known to the AWS SDK, e.g. us-east-1"),
                Map.of("enum", ids, "x-enumLabels", labels));
    }

    static KinesisSettings from(Settings s) {
        return new KinesisSettings(
                s.string(STREAM),
                s.string(REGION),
                s.optionalString(ACCESS_KEY_ID),
                s.secret(SECRET_ACCESS_KEY),
                s.optionalString(ROLE_ARN),
                s.optionalString(EXTERNAL_ID),
                s.bool(USE_MESSAGE_ID),
                PayloadEncoding.fromSetting(s.string(PAYLOAD_ENCODING)),
                s.uri(ENDPOINT),
                s.integer(MAX_RECORD_BYTES));
    }

    boolean streamIsArn() {
        return stream.startsWith("arn:");
    }

    /** The region an ARN names, or empty for a stream name. */
    private static Optional<String> arnRegion(String stream) {
        Matcher m = STREAM_ARN.matcher(stream);
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }

    private static CrossCheck bothOrNeither() {
        return s -> {
            boolean key = s.has(ACCESS_KEY_ID);
            boolean secret = s.has(SECRET_ACCESS_KEY);
            if (key && !secret) {
                return Optional.of(new SettingError(SECRET_ACCESS_KEY, "required_with",
                        SECRET_ACCESS_KEY + ": is required when " + ACCESS_KEY_ID + " is set"));
            }
            if (secret && !key) {
                return Optional.of(new SettingError(ACCESS_KEY_ID, "required_with",
                        ACCESS_KEY_ID + ": is required when " + SECRET_ACCESS_KEY + " is set"));
            }
            return Optional.empty();
        };
    }

    private static CrossCheck externalIdNeedsRole() {
        return s -> s.has(EXTERNAL_ID) && !s.has(ROLE_ARN)
                ? Optional.of(new SettingError(EXTERNAL_ID, "requires",
                        EXTERNAL_ID + ": is used only to assume a role; set " + ROLE_ARN + " too"))
                : Optional.empty();
    }

    private static CrossCheck arnRegionMatches() {
        return s -> {
            if (!s.has(STREAM) || !s.has(REGION)) {
                return Optional.empty();
            }
            String region = s.string(REGION);
            return arnRegion(s.string(STREAM))
                    .filter(arnRegion -> !arnRegion.equals(region))
                    .map(arnRegion -> new SettingError(STREAM, "arn_region",
                            STREAM + ": the ARN names region " + arnRegion + " but " + REGION + " is " + region));
        };
    }
}
