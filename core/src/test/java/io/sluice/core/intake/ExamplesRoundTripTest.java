package io.sluice.core.intake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.spec.SpecJson;
import io.sluice.core.spec.Timestamps;
import io.sluice.spi.event.Event;
import io.sluice.spi.event.EventType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** The Segment docs' complete example of each call parses, normalises and round-trips. */
class ExamplesRoundTripTest {

    static final Instant NOW = Instant.parse("2024-05-01T12:00:00.000Z");
    static final java.util.List<String> CALLS = Fixtures.CALLS;

    final Intake intake = new Intake(Clock.fixed(NOW, ZoneOffset.UTC));

    @ParameterizedTest
    @FieldSource("CALLS")
    void exampleParsesAndKeepsEveryField(String call) throws Exception {
        ObjectNode example = (ObjectNode) SpecJson.MAPPER.readTree(Fixtures.bytes(call));
        EventType type = EventType.fromWireName(example.get("type").asText()).orElseThrow();

        IntakeResult result = intake.readCall(Fixtures.bytes(call), type);

        assertThat(result.rejected()).isEmpty();
        Event event = result.accepted().get(0).event();
        assertThat(event.type()).isEqualTo(type);
        assertThat(event.messageId()).isEqualTo(example.get("messageId").asText());
        JsonNode normalised = SpecJson.MAPPER.readTree(event.jsonText());
        Iterator<Map.Entry<String, JsonNode>> fields = example.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (!field.getKey().equals("receivedAt") && !field.getKey().equals("timestamp")) {
                assertThat(normalised.get(field.getKey())).as(call + "." + field.getKey()).isEqualTo(field.getValue());
            }
        }
        assertThat(normalised.get("receivedAt").asText()).isEqualTo("2024-05-01T12:00:00.000Z");
        Instant original = Timestamps.parse(normalised.get("originalTimestamp").asText()).orElseThrow();
        Instant sentAt = Timestamps.parse(example.get("sentAt").asText()).orElseThrow();
        assertThat(event.timestamp()).isEqualTo(NOW.minus(Duration.between(original, sentAt)));
    }

    @ParameterizedTest
    @FieldSource("CALLS")
    void normalisingTwiceChangesNothing(String call) throws Exception {
        Event once = intake.readBatch(("{\"batch\":[" + Fixtures.text(call) + "]}").getBytes()).accepted().get(0).event();
        Event twice = intake.readBatch(("{\"batch\":[" + once.jsonText() + "]}").getBytes()).accepted().get(0).event();
        assertThat(twice.jsonText()).isEqualTo(once.jsonText());
    }

    @Test
    void trackExampleReproducesSegmentsOwnTimestamp() throws Exception {
        // The docs' track example was normalised by Segment itself; with its receivedAt, we compute its timestamp.
        Intake atSegmentsReceipt = new Intake(Clock.fixed(Instant.parse("2015-12-12T19:11:01.266Z"), ZoneOffset.UTC));
        Event event = atSegmentsReceipt.readCall(Fixtures.bytes("track"), EventType.TRACK).accepted().get(0).event();
        assertThat(Timestamps.format(event.timestamp())).isEqualTo("2015-12-12T19:11:01.249Z");
    }
}
