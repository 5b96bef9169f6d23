package io.sluice.spi.event;

import java.util.Locale;
import java.util.Optional;

/** The six calls of the Segment Spec. */
public enum EventType {
    IDENTIFY, TRACK, PAGE, SCREEN, GROUP, ALIAS;

    /** The value of the {@code type} field, e.g. {@code track}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The type for a {@code type} field value, matched exactly (Segment sends lower case). */
    public static Optional<EventType> fromWireName(String value) {
        for (EventType type : values()) {
            if (type.wireName().equals(value)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
