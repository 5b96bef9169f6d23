package io.sluice.runner.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.runner.cli.LocalDefaultProbe;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The README's run command: {@code sluice serve} with no configuration. */
class LocalDefaultTest {

    @Test
    void servesTheDocsCallIntoALocalStreamAndPrintsHowToWatchIt() throws Exception {
        LocalDefaultProbe.Run run = LocalDefaultProbe.serveAndSendTheCurlLine();

        assertThat(run.banner()).contains("generated for this run only");
        Matcher key = Pattern.compile("curl -u ([0-9a-f]{32}): -H 'Content-Type: application/json'").matcher(run.banner());
        assertThat(key.find()).isTrue();
        assertThat(run.banner())
                .contains("{\"userId\":\"user_1\",\"event\":\"User Registered\",\"properties\":{\"plan\":\"Pro Annual\",\"account_type\":\"Facebook\"}}")
                .contains("/v1/track")
                .containsPattern("\\./sluice tail --type kinesis --settings \\S+kinesis-local\\.json --from earliest");
        assertThat(run.curlStatus()).isEqualTo(200);
        assertThat(run.tailExitCode()).isZero();
        assertThat(run.tailOutput()).contains("\"partitionKey\":\"user_1\"").contains("User Registered");
    }
}
