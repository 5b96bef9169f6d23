package io.sluice.kinesis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.time.Duration;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.SdkSystemSetting;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClientBuilder;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/**
 * Which protocol {@link KinesisClients#build} gives a client. The build sets {@code aws.cborEnabled=false}
 * for every test JVM, so each test here starts without it, as production does.
 */
@ExtendWith(KinesaliteExtension.class)
class KinesisClientsTest {

    private static final String CBOR_PROPERTY = SdkSystemSetting.CBOR_ENABLED.property();
    /** The SDK's system property for a Kinesis endpoint: a client that reaches the proxy without an override. */
    private static final String KINESIS_ENDPOINT_PROPERTY = "aws.endpointUrlKinesis";
    private static final String JSON = "application/x-amz-json-1.1";
    private static final String CBOR = "application/x-amz-cbor-1.1";

    private String buildSetting;

    @BeforeEach
    void withoutTheBuildsSetting() {
        assumeThat(System.getenv(SdkSystemSetting.CBOR_ENABLED.environmentVariable()))
                .as("CBOR_ENABLED in the environment decides for every client").isNull();
        buildSetting = System.clearProperty(CBOR_PROPERTY);
    }

    @AfterEach
    void restoreTheBuildsSetting() {
        System.clearProperty(KINESIS_ENDPOINT_PROPERTY);
        if (buildSetting == null) {
            System.clearProperty(CBOR_PROPERTY);
        } else {
            System.setProperty(CBOR_PROPERTY, buildSetting);
        }
    }

    @Test
    void aClientWithAnEndpointSpeaksJsonAndLeavesTheSettingUnset(TestKinesis kinesis) {
        try (FaultyKinesis proxy = FaultyKinesis.inFrontOf(kinesis.endpoint())) {
            assertThat(contentType(proxy, Optional.of(proxy))).isEqualTo(JSON);
        }
        assertThat(System.getProperty(CBOR_PROPERTY)).isNull();
    }

    @Test
    void aClientWithoutAnEndpointKeepsTheSdksCbor(TestKinesis kinesis) {
        try (FaultyKinesis proxy = FaultyKinesis.inFrontOf(kinesis.endpoint())) {
            System.setProperty(KINESIS_ENDPOINT_PROPERTY, proxy.endpoint().toString());
            assertThat(contentType(proxy, Optional.empty())).isEqualTo(CBOR);
        }
    }

    @Test
    void anExplicitSettingWinsOverTheEndpoint(TestKinesis kinesis) {
        System.setProperty(CBOR_PROPERTY, "true");
        try (FaultyKinesis proxy = FaultyKinesis.inFrontOf(kinesis.endpoint())) {
            assertThat(contentType(proxy, Optional.of(proxy))).isEqualTo(CBOR);
        }
        assertThat(System.getProperty(CBOR_PROPERTY)).isEqualTo("true");
    }

    @Test
    void kinesalitesOwnClientReadsRepliesOverSixteenKibibytes(TestKinesis kinesis) {
        String stream = kinesis.newStream(1);
        try (KinesisAsyncClient client = kinesis.server().newClient()) {
            client.putRecords(r -> r.streamName(stream).records(IntStream.range(0, 40)
                    .mapToObj(i -> PutRecordsRequestEntry.builder().partitionKey("k")
                            .data(SdkBytes.fromUtf8String("x".repeat(1024))).build())
                    .toList())).join();
            String iterator = client.getShardIterator(r -> r.streamName(stream).shardId("shardId-000000000000")
                    .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).join().shardIterator();
            assertThat(client.getRecords(r -> r.shardIterator(iterator)).join().records()).hasSize(40);
        }
        assertThat(System.getProperty(CBOR_PROPERTY)).isNull();
    }

    /** The Content-Type of one call through {@code proxy}, given as the endpoint or not. */
    private static String contentType(FaultyKinesis proxy, Optional<FaultyKinesis> endpoint) {
        proxy.failRequests(1, 400, "ValidationException", "only the request is looked at");
        KinesisAsyncClientBuilder builder = KinesisAsyncClient.builder()
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClientBuilder(NettyNioAsyncHttpClient.builder().protocol(Protocol.HTTP1_1))
                .overrideConfiguration(o -> o.apiCallTimeout(Duration.ofSeconds(10))
                        .retryStrategy(AwsRetryStrategy.doNotRetry()));
        try (KinesisAsyncClient client = KinesisClients.build(builder, endpoint.map(FaultyKinesis::endpoint))) {
            client.listStreams().exceptionally(e -> null).join();
        }
        assertThat(proxy.seen()).hasSize(1);
        return proxy.seen().get(0).headers().get("content-type");
    }
}
