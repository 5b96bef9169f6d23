package io.sluice.kafka;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** What a failed send means for its event. */
enum ErrorClass {
    /** The record can never be written as it is: rejected. */
    TOO_LARGE,
    /** Authentication, authorisation or an unknown topic: kept, and the destination unhealthy. */
    CONFIGURATION,
    /** Anything else: a broker away, a leader moving, a timeout. Kept and sent again. */
    RETRYABLE;

    static ErrorClass of(Throwable failure) {
        Throwable t = unwrap(failure);
        if (t instanceof RecordTooLargeException || t instanceof RecordBatchTooLargeException) {
            return TOO_LARGE;
        }
        if (t instanceof AuthenticationException || t instanceof AuthorizationException
                || t instanceof UnknownTopicOrPartitionException || t instanceof InvalidTopicException
                || (t instanceof TimeoutException && String.valueOf(t.getMessage()).contains("not present in metadata"))) {
            return CONFIGURATION;
        }
        return RETRYABLE;
    }

    /**
     * The exception's kind and message, as operators read it. A failed TLS handshake says only
     * "SSL handshake failed": add what to check and the JDK's reason (an unknown CA, a host name the
     * certificate does not name).
     */
    static String describe(Throwable failure) {
        Throwable t = unwrap(failure);
        String text = t.getClass().getSimpleName() + ": " + t.getMessage();
        if (t instanceof SslAuthenticationException) {
            Throwable root = t;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            text += " (the brokers' certificate must be signed by a CA the JVM trusts or by the one in "
                    + KafkaSettings.CA_CERTIFICATE + ", and name the host in " + KafkaSettings.BROKERS + ")"
                    + (root == t ? "" : ": " + root.getMessage());
        }
        return text;
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
