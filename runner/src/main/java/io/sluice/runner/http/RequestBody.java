package io.sluice.runner.http;

import io.sluice.core.spec.ErrorCode;
import io.sluice.core.spec.RequestException;
import io.sluice.core.spec.SpecError;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/**
 * Inflates a gzip body without ever holding more than the limit: a small compressed body that
 * would inflate to gigabytes (a gzip bomb) is refused once {@code limit} bytes have come out.
 */
final class RequestBody {

    /** The code for a body that says gzip but is not. */
    static final String INVALID_GZIP = "invalid_gzip";

    private RequestBody() {}

    /** Thrown for a body that is not valid gzip. */
    static final class InvalidGzipException extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidGzipException(String message) {
            super(message, null, false, false);
        }
    }

    static byte[] gunzip(byte[] compressed, int limit, ErrorCode tooLarge) throws RequestException, InvalidGzipException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(limit, compressed.length * 4 + 64));
        byte[] buffer = new byte[8192];
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(compressed), 8192)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                if (out.size() + n > limit) {
                    throw new RequestException(new SpecError(tooLarge, "$", "the body inflates to more than "
                            + limit + " bytes; the limit is " + limit));
                }
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new InvalidGzipException("the body is not valid gzip: " + e.getMessage());
        }
        return out.toByteArray();
    }
}
