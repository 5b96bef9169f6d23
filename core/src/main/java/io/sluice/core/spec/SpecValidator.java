package io.sluice.core.spec;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.spi.event.EventType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Checks one call against the Segment Spec and reports every broken rule, each with its code and path. */
public final class SpecValidator {

    private static final String TYPES = "identify, track, page, screen, group or alias";
    private static final List<String> IDS = List.of("userId", "anonymousId", "previousId", "groupId");
    private static final List<String> OBJECTS = List.of("properties", "traits", "context", "integrations");

    public Validation validate(RawCall call) {
        ScannedCall node = call.call();
        String at = call.path();
        List<SpecError> errors = new ArrayList<>(0);
        if (call.rawBytes() > SpecLimits.MAX_EVENT_BYTES) {
            errors.add(new SpecError(ErrorCode.EVENT_TOO_LARGE, at,
                    "the call is " + call.rawBytes() + " bytes; the limit is " + SpecLimits.MAX_EVENT_BYTES));
        }
        Optional<EventType> type = typeOf(node);
        if (type.isEmpty()) {
            errors.add(new SpecError(ErrorCode.INVALID_TYPE, at + ".type", "type: must be " + TYPES));
        }
        for (String id : IDS) {
            JsonNode value = node.get(id);
            if (value != null && !value.isNull() && !value.isTextual() && !value.isNumber()) {
                errors.add(new SpecError(ErrorCode.INVALID_ID, at + "." + id, id + ": must be a string or a number"));
            }
        }
        type.ifPresent(t -> checkCall(t, node, at, errors));
        for (String field : OBJECTS) {
            // Only the kind of token: these objects are copied as sent, never read into a tree.
            JsonToken kind = node.kind(field);
            if (kind != null && kind != JsonToken.VALUE_NULL && kind != JsonToken.START_OBJECT) {
                errors.add(new SpecError(ErrorCode.FIELD_NOT_AN_OBJECT, at + "." + field, field + ": must be an object"));
            }
        }
        JsonNode messageId = node.get("messageId");
        if (messageId != null && !messageId.isNull()
                && (!messageId.isTextual() || messageId.asText().length() > SpecLimits.MAX_MESSAGE_ID_LENGTH)) {
            errors.add(new SpecError(ErrorCode.INVALID_MESSAGE_ID, at + ".messageId",
                    "messageId: must be a string of at most " + SpecLimits.MAX_MESSAGE_ID_LENGTH + " characters"));
        }
        Optional<Instant> timestamp = dateTime(node, "timestamp", at, errors);
        Optional<Instant> sentAt = dateTime(node, "sentAt", at, errors);
        Optional<Instant> originalTimestamp = dateTime(node, "originalTimestamp", at, errors);
        return new Validation(errors, type, timestamp, sentAt, originalTimestamp);
    }

    private static Optional<Instant> dateTime(ScannedCall node, String field, String at, List<SpecError> errors) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        Optional<Instant> instant = value.isTextual() ? Timestamps.parse(value.asText()) : Optional.empty();
        if (instant.isEmpty()) {
            errors.add(new SpecError(ErrorCode.INVALID_TIMESTAMP, at + "." + field,
                    field + ": must be an ISO-8601 date-time, e.g. 2015-02-23T22:28:55.111Z"));
        }
        return instant;
    }

    private static void checkCall(EventType type, ScannedCall node, String at, List<SpecError> errors) {
        switch (type) {
            case ALIAS -> {
                if (!hasId(node, "userId")) {
                    errors.add(new SpecError(ErrorCode.MISSING_USER_ID, at + ".userId", "userId: an alias call needs the new userId"));
                }
                if (!hasId(node, "previousId")) {
                    errors.add(new SpecError(ErrorCode.MISSING_PREVIOUS_ID, at + ".previousId",
                            "previousId: an alias call needs the previous id"));
                }
            }
            default -> {
                if (!hasId(node, "userId") && !hasId(node, "anonymousId")) {
                    errors.add(new SpecError(ErrorCode.NO_USER_ANON_ID, at + ".userId",
                            "userId or anonymousId: a " + type.wireName() + " call needs at least one of them"));
                }
            }
        }
        if (type == EventType.TRACK) {
            JsonNode event = node.get("event");
            if (event == null || !event.isTextual() || event.asText().isEmpty()) {
                errors.add(new SpecError(ErrorCode.MISSING_EVENT, at + ".event", "event: a track call needs an event name (a non-empty string)"));
            }
        }
        if (type == EventType.GROUP && !hasId(node, "groupId")) {
            errors.add(new SpecError(ErrorCode.MISSING_GROUP_ID, at + ".groupId", "groupId: a group call needs a groupId"));
        }
    }

    private static Optional<EventType> typeOf(ScannedCall node) {
        JsonNode type = node.get("type");
        return type != null && type.isTextual() ? EventType.fromWireName(type.asText()) : Optional.empty();
    }

    /** An id counts when it is a non-empty string or a number. */
    static boolean hasId(ScannedCall node, String field) {
        JsonNode value = node.get(field);
        return value != null && (value.isNumber() || (value.isTextual() && !value.asText().isEmpty()));
    }
}
