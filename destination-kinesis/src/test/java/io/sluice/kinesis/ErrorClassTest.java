package io.sluice.kinesis;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.kinesis.model.KinesisException;

/** The classification table of the README, entry by entry. */
class ErrorClassTest {

    @ParameterizedTest
    @CsvSource({
            "ProvisionedThroughputExceededException, TRANSIENT",
            "InternalFailure,                        TRANSIENT",
            "KMSThrottlingException,                 TRANSIENT",
            "KMSAccessDeniedException,               CONFIGURATION",
            "KMSDisabledException,                   CONFIGURATION",
            "KMSInvalidStateException,               CONFIGURATION",
            "KMSNotFoundException,                   CONFIGURATION",
            "KMSOptInRequired,                       CONFIGURATION",
            "SomethingNew,                           CONFIGURATION"})
    void perRecordErrorCodes(String code, ErrorClass expected) {
        assertThat(ErrorClass.ofRecordError(code)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({
            "500, InternalFailure,                        TRANSIENT",
            "503, ServiceUnavailable,                     TRANSIENT",
            "400, ProvisionedThroughputExceededException, TRANSIENT",
            "400, LimitExceededException,                 TRANSIENT",
            "400, ThrottlingException,                    TRANSIENT",
            "429, TooManyRequests,                        TRANSIENT",
            "400, KMSThrottlingException,                 TRANSIENT",
            "400, ResourceNotFoundException,              CONFIGURATION",
            "400, AccessDeniedException,                  CONFIGURATION",
            "400, ValidationException,                    CONFIGURATION",
            "400, InvalidArgumentException,               CONFIGURATION",
            "400, KMSAccessDeniedException,               CONFIGURATION",
            "400, KMSDisabledException,                   CONFIGURATION",
            "400, UnrecognizedClientException,            CONFIGURATION",
            "403, InvalidSignatureException,              CONFIGURATION",
            "403, ExpiredTokenException,                  CONFIGURATION",
            "403, MissingAuthenticationTokenException,    CONFIGURATION"})
    void wholeRequestServiceErrors(int status, String code, ErrorClass expected) {
        KinesisException error = (KinesisException) KinesisException.builder()
                .statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("m").build())
                .build();

        assertThat(ErrorClass.of(error)).isEqualTo(expected);
        assertThat(ErrorClass.of(new CompletionException(error))).as("wrapped, as futures report it")
                .isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"call timeout", "attempt timeout", "connection refused", "unknown client error"})
    void clientSideFailuresPassByThemselves(String kind) {
        Throwable error = switch (kind) {
            case "call timeout" -> ApiCallTimeoutException.create(30_000);
            case "attempt timeout" -> ApiCallAttemptTimeoutException.create(30_000);
            case "connection refused" -> SdkClientException.create("Unable to execute HTTP request",
                    new ConnectException("Connection refused"));
            default -> SdkClientException.create("something odd");
        };

        assertThat(ErrorClass.of(new CompletionException(error))).isEqualTo(ErrorClass.TRANSIENT);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "Unable to load credentials from any of the providers in the chain AwsCredentialsProviderChain(...)",
            "Unable to load credentials from system settings. Access key must be specified either via ..."})
    void missingCredentialsNeedAnOperator(String message) {
        assertThat(ErrorClass.of(new CompletionException(SdkClientException.create(message))))
                .isEqualTo(ErrorClass.CONFIGURATION);
    }
}
