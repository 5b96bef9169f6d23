package io.sluice.kinesis;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.spi.Destination;
import io.sluice.spi.Outcome;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** roleArn and externalId: the destination signs with the role's credentials, got from STS with its keys. */
@ExtendWith(KinesaliteExtension.class)
class AssumeRoleTest {

    private static final String ROLE = "arn:aws:iam::123456789012:role/sluice-writer";

    @Test
    void assumesTheRoleWithTheStaticKeysAndSignsWithTheRolesCredentials(TestKinesis kinesis) {
        String stream = kinesis.newStream(1);
        try (FaultyKinesis fake = FaultyKinesis.inFrontOf(kinesis.endpoint())) {
            fake.answerAssumeRole(new FaultyKinesis.AssumedRole("ASIAASSUMEDROLEKEY", "assumed-secret", "assumed-token"));
            Map<String, Object> raw = kinesis.settings(stream);
            raw.put("endpoint", fake.endpoint().toString());
            raw.put("roleArn", ROLE);
            raw.put("externalId", "ext-42");
            KinesisSettings settings = KinesisSettings.from(new KinesisDestinationProvider().settingsSchema().parse(raw));

            List<Outcome> outcomes;
            // STS is pointed at the fake too, so nothing leaves this machine.
            try (Destination destination = new KinesisDestination(settings,
                    KinesisClients.create(settings, Optional.of(fake.endpoint())))) {
                outcomes = destination.deliver(List.of(TestEvents.track("m-1", "u1"))).toCompletableFuture().join();
            }

            assertThat(outcomes).singleElement().isInstanceOf(Outcome.Delivered.class);
            FaultyKinesis.Seen assumeRole = fake.seen("AssumeRole").get(0);
            String form = URLDecoder.decode(assumeRole.body(), StandardCharsets.UTF_8);
            assertThat(form).contains("RoleArn=" + ROLE).contains("ExternalId=ext-42").contains("RoleSessionName=sluice");
            assertThat(assumeRole.headers().get("authorization")).contains("Credential=" + TestKinesis.ACCESS_KEY_ID + "/");
            FaultyKinesis.Seen put = fake.seen("PutRecords").get(0);
            assertThat(put.headers().get("authorization")).contains("Credential=ASIAASSUMEDROLEKEY/");
            assertThat(put.headers().get("x-amz-security-token")).isEqualTo("assumed-token");
            assertThat(kinesis.awaitRecords(stream, 1)).hasSize(1);
        }
    }
}
