package io.sluice.webhook;

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

    /** A small track call whose JSON carries its messageId. */
    static Event track(String messageId) {
        String json = "{\"type\":\"track\",\"messageId\":\"" + messageId + "\",\"userId\":\"u-1\","
                + "\"event\":\"Order Completed\",\"properties\":{\"total\":19.99,\"currency\":\"€\"}}";
        return Event.builder(EventType.TRACK, messageId, json.getBytes(StandardCharsets.UTF_8))
                .userId("u-1").eventName("Order Completed").timestamp(T).receivedAt(T).build();
    }

    static List<Event> tracks(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(i -> track(prefix + "-" + i)).toList();
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static String json(Event event) {
        return event.jsonText();
    }

    /** Settings for {@code urls}, with whatever else is given. */
    static Map<String, Object> settings(String urls, Object... more) {
        Map<String, Object> raw = new HashMap<>();
        raw.put("urls", urls);
        for (int i = 0; i < more.length; i += 2) {
            raw.put((String) more[i], more[i + 1]);
        }
        return raw;
    }

    static Destination open(Map<String, Object> raw) {
        WebhookDestinationProvider provider = new WebhookDestinationProvider();
        Destination destination = provider.create(provider.settingsSchema().parse(raw));
        destination.open();
        return destination;
    }
}
