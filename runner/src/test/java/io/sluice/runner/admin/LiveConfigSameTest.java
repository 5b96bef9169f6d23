package io.sluice.runner.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.core.delivery.DeliveryPolicy;
import io.sluice.runner.config.SluiceConfig;
import io.sluice.spi.settings.Setting;
import io.sluice.spi.settings.SettingsSchema;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A reload tells a running destination from a changed one by every kind of setting, secret maps and lists included. */
class LiveConfigSameTest {

    static final SettingsSchema SCHEMA = SettingsSchema.builder()
            .add(Setting.map("headers").sensitive().optional())
            .add(Setting.list("brokers").optional())
            .add(Setting.secret("password").optional())
            .build();

    static SluiceConfig.Destination destination(Map<String, ?> raw) {
        return new SluiceConfig.Destination("web/d", "webhook", SCHEMA.parse(raw), DeliveryPolicy.defaults());
    }

    @Test
    void comparesSecretMapsListsAndSecretsByValue() {
        Map<String, Object> raw = Map.of("headers", Map.of("Authorization", "Bearer a"), "brokers", List.of("k1:9092", "k2:9092"),
                "password", "pw-1");
        assertThat(LiveConfig.same(destination(raw), destination(raw))).isTrue();
        assertThat(LiveConfig.same(destination(raw), destination(Map.of("headers", Map.of("Authorization", "Bearer b"),
                "brokers", List.of("k1:9092", "k2:9092"), "password", "pw-1")))).as("a header value changed").isFalse();
        assertThat(LiveConfig.same(destination(raw), destination(Map.of("headers", Map.of("Authorization", "Bearer a"),
                "brokers", "k1:9092, k2:9092", "password", "pw-1")))).as("the same brokers as text with commas").isTrue();
        assertThat(LiveConfig.same(destination(raw), destination(Map.of("headers", Map.of("Authorization", "Bearer a"),
                "brokers", List.of("k2:9092", "k1:9092"), "password", "pw-1")))).as("brokers in another order").isFalse();
        assertThat(LiveConfig.same(destination(raw), destination(Map.of("headers", Map.of("Authorization", "Bearer a"),
                "brokers", List.of("k1:9092", "k2:9092"), "password", "pw-2")))).as("another password").isFalse();
    }
}
