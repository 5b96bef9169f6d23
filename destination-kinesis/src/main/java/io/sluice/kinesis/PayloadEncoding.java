package io.sluice.kinesis;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Locale;

/** How the normalised message's JSON becomes a record's {@code Data}. */
enum PayloadEncoding {

    /**
     * The ASCII text of standard Base64 (with padding) of the JSON. Segment's integration does this
     * ("the json payload is base64 stringified"), so its consumers base64-decode the record bytes.
     */
    BASE64 {
        @Override
        byte[] encode(ByteBuffer json) {
            return Base64.getEncoder().encode(json).array();
        }

        @Override
        long encodedLength(long jsonBytes) {
            return 4 * ((jsonBytes + 2) / 3);
        }
    },

    /** The JSON bytes as they are. */
    JSON {
        @Override
        byte[] encode(ByteBuffer json) {
            byte[] bytes = new byte[json.remaining()];
            json.get(bytes);
            return bytes;
        }

        @Override
        long encodedLength(long jsonBytes) {
            return jsonBytes;
        }
    };

    /** The record's data for {@code json}, in a new array the caller owns. */
    abstract byte[] encode(ByteBuffer json);

    /** The length of {@link #encode} for JSON of {@code jsonBytes} bytes, without encoding. */
    abstract long encodedLength(long jsonBytes);

    /** The value of the {@code payloadEncoding} setting. */
    String settingValue() {
        return name().toLowerCase(Locale.ROOT);
    }

    static PayloadEncoding fromSetting(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
