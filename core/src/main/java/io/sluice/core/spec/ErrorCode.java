package io.sluice.core.spec;

import java.util.Locale;

/** Stable codes for Spec violations. Clients and dashboards key on {@link #code()}; never rename one. */
public enum ErrorCode {
    /** The body is not JSON, or not UTF-8 JSON. */
    INVALID_JSON,
    /** A call is not a JSON object. */
    NOT_AN_OBJECT,
    /** A batch body lacks a {@code batch} array. */
    INVALID_BATCH,
    /** {@code type} is missing or not one of identify, track, page, screen, group, alias. */
    INVALID_TYPE,
    /** A call other than alias has neither {@code userId} nor {@code anonymousId}. */
    NO_USER_ANON_ID,
    /** {@code userId}, {@code anonymousId}, {@code previousId} or {@code groupId} is not a string or number. */
    INVALID_ID,
    /** A track call has no {@code event} name. */
    MISSING_EVENT,
    /** A group call has no {@code groupId}. */
    MISSING_GROUP_ID,
    /** An alias call has no {@code userId}. */
    MISSING_USER_ID,
    /** An alias call has no {@code previousId}. */
    MISSING_PREVIOUS_ID,
    /** {@code properties}, {@code traits}, {@code context} or {@code integrations} is not an object. */
    FIELD_NOT_AN_OBJECT,
    /** {@code messageId} is not a string of at most 100 characters. */
    INVALID_MESSAGE_ID,
    /** {@code timestamp}, {@code sentAt} or {@code originalTimestamp} is not an ISO-8601 date-time. */
    INVALID_TIMESTAMP,
    /** One call is over 32 KB. */
    EVENT_TOO_LARGE,
    /** A batch body is over 500 KB. */
    BATCH_TOO_LARGE;

    /** The wire form, e.g. {@code no_user_anon_id}. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
