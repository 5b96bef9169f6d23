package io.sluice.kinesis;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PayloadEncodingTest {

    @Test
    void base64IsTheStandardPaddedTextOfTheJson() {
        byte[] json = "{\"a\":\"\u00e9\"}".getBytes(StandardCharsets.UTF_8);

        byte[] data = PayloadEncoding.BASE64.encode(ByteBuffer.wrap(json).asReadOnlyBuffer());

        // Expected from: printf '{"a":"é"}' | base64
        assertThat(new String(data, StandardCharsets.US_ASCII)).isEqualTo("eyJhIjoiw6kifQ==");
    }

    @Test
    void jsonIsTheBytesAsTheyAre() {
        byte[] json = "{\"a\":\"\u00e9\"}".getBytes(StandardCharsets.UTF_8);

        assertThat(PayloadEncoding.JSON.encode(ByteBuffer.wrap(json).asReadOnlyBuffer())).isEqualTo(json);
    }

    @Test
    void encodedLengthMatchesTheEncodingForEveryRemainder() {
        for (int n = 0; n < 10; n++) {
            ByteBuffer json = ByteBuffer.wrap(new byte[n]);
            for (PayloadEncoding encoding : PayloadEncoding.values()) {
                assertThat(encoding.encodedLength(n)).as(encoding + " of " + n)
                        .isEqualTo(encoding.encode(json.duplicate()).length);
            }
        }
    }
}
