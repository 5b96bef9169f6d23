package io.sluice.runner.kinesis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class TailRecordTest {

    static final String EVENT = "{\"type\":\"track\",\"userId\":\"user_1\",\"properties\":{\"price\":19.90}}";

    static ObjectNode decode(byte[] data) {
        return TailRecord.of("shardId-000000000001", "user_1", "4960", Instant.parse("2026-01-02T03:04:05Z"), data);
    }

    @Test
    void base64TextOfJsonIsDecoded() {
        ObjectNode line = decode(Base64.getEncoder().encode(EVENT.getBytes(StandardCharsets.UTF_8)));

        assertThat(line.get("encoding").asText()).isEqualTo("base64");
        assertThat(line.get("event").get("userId").asText()).isEqualTo("user_1");
        assertThat(line.get("event").get("properties").get("price").toString()).isEqualTo("19.90");
        assertThat(line.get("shardId").asText()).isEqualTo("shardId-000000000001");
        assertThat(line.get("partitionKey").asText()).isEqualTo("user_1");
        assertThat(line.get("sequenceNumber").asText()).isEqualTo("4960");
        assertThat(line.get("approximateArrivalTimestamp").asText()).isEqualTo("2026-01-02T03:04:05Z");
    }

    @Test
    void rawJsonIsReadAsItIs() {
        ObjectNode line = decode(EVENT.getBytes(StandardCharsets.UTF_8));

        assertThat(line.get("encoding").asText()).isEqualTo("json");
        assertThat(line.get("event").get("type").asText()).isEqualTo("track");
    }

    @Test
    void anythingElseIsKeptAsBase64() {
        byte[] data = {0, 1, 2, (byte) 0xff};
        ObjectNode line = decode(data);

        assertThat(line.get("encoding").asText()).isEqualTo("raw");
        assertThat(line.has("event")).isFalse();
        assertThat(Base64.getDecoder().decode(line.get("dataBase64").asText())).isEqualTo(data);
    }
}
