package io.sluice.kinesis;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkSystemSetting;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisBaseClientBuilder;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * The Kinesis client a destination sends with, and the credential machinery it owns; and
 * {@link #build}, which every Kinesis client of ours is built with.
 */
public final class KinesisClients implements AutoCloseable {

    /** What one PutRecords may take in all; the engine retries after it, so no hang lasts longer. */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /**
     * Waiting for a pooled connection. The engine bounds requests in flight, so a long wait means a
     * stuck pool: after refused connections the SDK's Netty pool now and then never hands one out.
     */
    static final Duration ACQUIRE_TIMEOUT = Duration.ofSeconds(10);
    static final String ROLE_SESSION_NAME = "sluice";

    private static final Object CBOR_SWITCH = new Object();

    private final KinesisAsyncClient kinesis;
    private final List<SdkAutoCloseable> owned;

    private KinesisClients(KinesisAsyncClient kinesis, List<SdkAutoCloseable> owned) {
        this.kinesis = kinesis;
        this.owned = owned;
    }

    static KinesisClients create(KinesisSettings settings) {
        return create(settings, Optional.empty());
    }

    /**
     * @param stsEndpoint where to assume the role; empty for the SDK's choice (which honours
     *                    {@code AWS_ENDPOINT_URL_STS}). Tests point it at a local fake.
     */
    static KinesisClients create(KinesisSettings settings, Optional<URI> stsEndpoint) {
        Region region = Region.of(settings.region());
        List<SdkAutoCloseable> owned = new ArrayList<>();
        AwsCredentialsProvider credentials = credentials(settings, region, stsEndpoint, owned);
        var builder = KinesisAsyncClient.builder()
                .region(region)
                .credentialsProvider(credentials)
                // kinesalite fails on HTTP/2; HTTP/1.1 is just as good against AWS.
                .httpClientBuilder(NettyNioAsyncHttpClient.builder()
                        .protocol(Protocol.HTTP1_1)
                        .connectionTimeout(CONNECT_TIMEOUT)
                        .connectionAcquisitionTimeout(ACQUIRE_TIMEOUT))
                .overrideConfiguration(o -> o
                        .apiCallTimeout(CALL_TIMEOUT)
                        // The engine owns retries and backoff, and must see every throttle to adapt.
                        .retryStrategy(AwsRetryStrategy.doNotRetry()));
        return new KinesisClients(build(builder, settings.endpoint()), owned);
    }

    /**
     * Builds the client, pointed at {@code endpoint} when there is one. Such a client speaks JSON, not
     * CBOR, unless {@code aws.cborEnabled} or {@code CBOR_ENABLED} says otherwise: kinesalite cuts CBOR
     * replies above about 16 KiB, and VPC endpoints take JSON as well. Without an endpoint the SDK
     * decides, and against AWS uses CBOR, which carries record data as it is where JSON Base64-encodes it.
     */
    public static <B extends KinesisBaseClientBuilder<B, C>, C> C build(B builder, Optional<URI> endpoint) {
        endpoint.ifPresent(builder::endpointOverride);
        // The SDK has no switch per client: it reads the setting once, while building one. So set it
        // for that moment only; the lock keeps our other builds from seeing it or clearing it early.
        synchronized (CBOR_SWITCH) {
            if (endpoint.isEmpty() || SdkSystemSetting.CBOR_ENABLED.getNonDefaultStringValue().isPresent()) {
                return builder.build();
            }
            System.setProperty(SdkSystemSetting.CBOR_ENABLED.property(), "false");
            try {
                return builder.build();
            } finally {
                System.clearProperty(SdkSystemSetting.CBOR_ENABLED.property());
            }
        }
    }

    KinesisAsyncClient kinesis() {
        return kinesis;
    }

    private static AwsCredentialsProvider credentials(KinesisSettings settings, Region region,
                                                      Optional<URI> stsEndpoint, List<SdkAutoCloseable> owned) {
        AwsCredentialsProvider base;
        if (settings.accessKeyId().isPresent() && settings.secretAccessKey().isPresent()) {
            base = StaticCredentialsProvider.create(AwsBasicCredentials.create(
                    settings.accessKeyId().get(), settings.secretAccessKey().get().reveal()));
        } else {
            DefaultCredentialsProvider chain = DefaultCredentialsProvider.builder().build();
            owned.add(chain);
            base = chain;
        }
        if (settings.roleArn().isEmpty()) {
            return base;
        }
        var sts = StsClient.builder()
                .region(region)
                .credentialsProvider(base)
                .overrideConfiguration(o -> o.apiCallTimeout(CALL_TIMEOUT));
        stsEndpoint.ifPresent(sts::endpointOverride);
        StsClient stsClient = sts.build();
        owned.add(stsClient);
        StsAssumeRoleCredentialsProvider assumed = StsAssumeRoleCredentialsProvider.builder()
                .stsClient(stsClient)
                .refreshRequest(r -> r
                        .roleArn(settings.roleArn().get())
                        .roleSessionName(ROLE_SESSION_NAME)
                        .externalId(settings.externalId().orElse(null)))
                // Refresh ahead of expiry on a background thread, not inside a delivery.
                .asyncCredentialUpdateEnabled(true)
                .build();
        owned.add(assumed);
        return assumed;
    }

    @Override
    public void close() {
        kinesis.close();
        // Most dependent first: the role provider, then its STS client, then the base chain.
        for (int i = owned.size() - 1; i >= 0; i--) {
            owned.get(i).close();
        }
    }
}
