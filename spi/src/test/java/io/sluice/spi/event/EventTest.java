package io.sluice.spi.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class EventTest {

    private static final byte[] JSON = "{\"type\":\"track\",\"userId\":\"ü\"}".getBytes(StandardCharsets.UTF_8);

    private static Event event() {
        return Event.builder(EventType.TRACK, "m1", JSON.clone())
                .userId("ü").eventName("Signed Up")
                .timestamp(Instant.EPOCH).receivedAt(Instant.EPOCH)
                .build();
    }

    @Test
    void jsonIsSharedReadOnly() {
        Event event = event();
        ByteBuffer view = event.json();
        assertThat(view.isReadOnly()).isTrue();
        assertThatThrownBy(() -> view.put(0, (byte) 'x')).isInstanceOf(ReadOnlyBufferException.class);
        assertThat(event.jsonLength()).isEqualTo(JSON.length);
        assertThat(event.jsonText()).isEqualTo(new String(JSON, StandardCharsets.UTF_8));
    }

    @Test
    void toStringLeavesOutThePayload() {
        assertThat(event().toString()).isEqualTo("Event{type=track, messageId=m1, bytes=" + JSON.length + "}");
    }

    @Test
    void typedFields() {
        Event event = event();
        assertThat(event.userId()).contains("ü");
        assertThat(event.anonymousId()).isEmpty();
        assertThat(event.eventName()).contains("Signed Up");
        assertThat(event.type().wireName()).isEqualTo("track");
    }

    @Test
    void wireNamesMatchExactly() {
        assertThat(EventType.fromWireName("screen")).contains(EventType.SCREEN);
        assertThat(EventType.fromWireName("Track")).isEmpty();
        assertThat(EventType.fromWireName("purchase")).isEmpty();
    }

    @Test
    void requiredFieldsAreChecked() {
        assertThatThrownBy(() -> Event.builder(EventType.TRACK, "m", JSON).receivedAt(Instant.EPOCH).build())
                .hasMessage("timestamp");
    }
}
