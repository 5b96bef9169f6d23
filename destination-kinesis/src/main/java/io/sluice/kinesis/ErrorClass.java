package io.sluice.kinesis;

import java.io.IOException;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;

/**
 * Whether a Kinesis failure passes by itself or needs an operator. Both keep the events (they are
 * retryable); a {@link #CONFIGURATION} failure also makes the destination unhealthy.
 */
enum ErrorClass {

    /** Throttling, 5xx, timeouts, lost connections: the next attempt may well succeed. */
    TRANSIENT,

    /** Missing stream, denied access, bad credentials, KMS key problems: retrying alone cannot help. */
    CONFIGURATION;

    /** Per-record error codes that clear up by themselves. */
    private static final Set<String> TRANSIENT_RECORD_ERRORS =
            Set.of("ProvisionedThroughputExceededException", "InternalFailure", "KMSThrottlingException");

    /**
     * A per-record {@code ErrorCode} of a PutRecords response. Any code but throughput and internal
     * failures (KMSAccessDeniedException, KMSDisabledException, KMSNotFoundException, ...) says the
     * stream's encryption setup is broken.
     */
    static ErrorClass ofRecordError(String errorCode) {
        return TRANSIENT_RECORD_ERRORS.contains(errorCode) ? TRANSIENT : CONFIGURATION;
    }

    /** A failure of the whole request, as the SDK reports it (wrapped or not). */
    static ErrorClass of(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof AwsServiceException e) {
                return ofService(e);
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ApiCallTimeoutException || t instanceof ApiCallAttemptTimeoutException
                    || t instanceof IOException || t instanceof TimeoutException) {
                return TRANSIENT;
            }
            // The SDK has no exception type for missing or unusable credentials, only this wording.
            String message = t.getMessage();
            if (message != null && message.toLowerCase(Locale.ROOT).contains("unable to load credentials")) {
                return CONFIGURATION;
            }
        }
        return TRANSIENT;
    }

    /**
     * Throttling and server errors pass; every other service error is a client error that the same
     * request will meet again: ResourceNotFound, AccessDenied, Validation, InvalidArgument, KMS*,
     * UnrecognizedClient, InvalidSignature, ExpiredToken, IncompleteSignature, MissingAuthenticationToken.
     */
    private static ErrorClass ofService(AwsServiceException e) {
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        if (e.isThrottlingException() || e.statusCode() >= 500 || "KMSThrottlingException".equals(code)
                || "LimitExceededException".equals(code)) {
            return TRANSIENT;
        }
        return CONFIGURATION;
    }
}
