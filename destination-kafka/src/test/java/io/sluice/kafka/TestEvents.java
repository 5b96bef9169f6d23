package io.sluice.kafka;

import io.sluice.spi.Destination;
import io.sluice.spi.event.Event;
import io.sluice.spi.event.EventType;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

final class TestEvents {

    static final Instant T = Instant.parse("2026-01-02T03:04:05.678Z");

    private TestEvents() {}

    static Event track(String messageId, String userId, String anonymousId, int padding) {
        String json = "{\"type\":\"track\",\"messageId\":\"" + messageId + "\""
                + (userId == null ? "" : ",\"userId\":\"" + userId + "\"")
                + (anonymousId == null ? "" : ",\"anonymousId\":\"" + anonymousId + "\"")
                + ",\"event\":\"Order Completed\",\"properties\":{\"note\":\"" + "x".repeat(padding) + "\"}}";
        return Event.builder(EventType.TRACK, messageId, json.getBytes(StandardCharsets.UTF_8))
                .userId(userId).anonymousId(anonymousId).eventName("Order Completed").timestamp(T).receivedAt(T).build();
    }

    static Event track(String messageId, String userId) {
        return track(messageId, userId, null, 0);
    }

    static List<Event> tracks(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> track(prefix + "-" + i, "user-" + (i % 17))).toList();
    }

    static String messageId(byte[] json) {
        return new String(json, StandardCharsets.UTF_8).replaceAll("^\\{\"type\":\"track\",\"messageId\":\"([^\"]+)\".*", "$1");
    }

    static Map<String, Object> settings(String brokers, String topic, Object... more) {
        Map<String, Object> raw = new HashMap<>();
        raw.put("brokers", List.of(brokers));
        raw.put("topic", topic);
        for (int i = 0; i < more.length; i += 2) {
            raw.put((String) more[i], more[i + 1]);
        }
        return raw;
    }

    static Destination open(Map<String, Object> raw) {
        KafkaDestinationProvider provider = new KafkaDestinationProvider();
        Destination destination = provider.create(provider.settingsSchema().parse(raw));
        destination.open();
        return destination;
    }
}
