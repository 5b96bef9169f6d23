package io.sluice.kinesis;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.spi.DestinationProvider;
import io.sluice.spi.settings.Setting;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class KinesisDestinationProviderTest {

    @Test
    void serviceLoaderFindsTheProviderUnderItsIdAndIntegrationName() {
        List<DestinationProvider> found = ServiceLoader.load(DestinationProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(p -> p.id().equals("kinesis"))
                .toList();

        assertThat(found).singleElement().satisfies(provider -> {
            assertThat(provider).isInstanceOf(KinesisDestinationProvider.class);
            assertThat(provider.integrationName()).isEqualTo("Amazon Kinesis");
            assertThat(provider.description()).isNotBlank();
        });
    }

    @Test
    void declaresEverySettingWithADescription() {
        List<Setting> settings = new KinesisDestinationProvider().settingsSchema().settings();

        assertThat(settings).extracting(Setting::name).containsExactly("stream", "region", "accessKeyId",
                "secretAccessKey", "roleArn", "externalId", "useMessageId", "payloadEncoding", "endpoint",
                "maxRecordBytes");
        assertThat(settings).allSatisfy(s -> assertThat(s.description()).as(s.name()).isNotBlank());
        assertThat(settings).filteredOn(Setting::isSecret).extracting(Setting::name)
                .containsExactly("secretAccessKey");
    }

    @Test
    void jsonSchemaShowsDefaultsAndKeepsTheSecretWriteOnly() {
        String schema = new KinesisDestinationProvider().settingsSchema().toJsonSchema();

        assertThat(schema)
                .contains("\"required\":[\"stream\",\"region\"]")
                .contains("\"enum\":[\"base64\",\"json\"],\"x-enumLabels\":{\"base64\":")
                .contains("\"region\":{\"title\":\"AWS region\",\"type\":\"string\"")
                .contains("\"us-east-1\":\"us-east-1 (US East (N. Virginia))\"")
                .contains("\"x-group\":\"Credentials\"")
                .contains("\"default\":\"base64\"")
                .contains("\"default\":1048576")
                .contains("\"maximum\":10485760")
                .contains("\"writeOnly\":true");
        assertThat(schema.substring(schema.indexOf("\"region\":"))).contains("\"enum\":[\"af-south-1\",");
    }
}
