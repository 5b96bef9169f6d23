package io.sluice.runner.libraries;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.runner.testing.LocalKinesis;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code @segment/analytics-node} 3.1.0 from npm, run by Node with {@code host} pointed at Sluice:
 * it posts {@code /v1/batch} as JSON with Basic auth and the write key in the body too.
 */
class AnalyticsNodeTest {

    /*
     * Each call's callback gets an error when the library gave up on it; the script exits 1 then, and
     * prints what the library said. closeAndFlush waits for every upload to finish.
     */
    private static final String SCRIPT = """
            const { Analytics } = require('@segment/analytics-node');
            const [writeKey, host, run] = process.argv.slice(2);
            const analytics = new Analytics({ writeKey, host, flushAt: 6, flushInterval: 60000, maxRetries: 0 });
            const errors = [];
            const done = (err) => { if (err) errors.push(String(err && (err.message || err))); };
            analytics.on('error', (err) => errors.push('error event: ' + JSON.stringify(err && (err.reason || err).toString())));
            const userId = run + '-user';
            analytics.identify({ userId, traits: { email: run + '@example.com' } }, done);
            analytics.track({ userId, event: 'Order Completed', properties: { orderId: run + '-order', revenue: 42 } }, done);
            analytics.page({ userId, name: 'Pricing', properties: { path: '/pricing' } }, done);
            analytics.screen({ userId, name: 'Settings' }, done);
            analytics.group({ userId, groupId: run + '-group', traits: { name: 'Initech' } }, done);
            analytics.alias({ userId: run + '-alias', previousId: userId }, done);
            analytics.closeAndFlush({ timeout: 20000 }).then(() => {
              if (errors.length) { console.log(errors.join('\\n')); process.exit(1); }
              console.log('sent');
            });
            """;

    @RegisterExtension
    static final LocalKinesis kinesis = new LocalKinesis();

    @TempDir
    Path dir;

    @Test
    void allSixCallsArriveInKinesis() throws Exception {
        Path script = dir.resolve("send.js");
        Files.writeString(script, SCRIPT);
        try (LibraryTestbed bed = new LibraryTestbed(kinesis.server(), dir, "")) {
            ProcessBuilder builder = new ProcessBuilder("node", script.toString(), bed.writeKey, bed.baseUrl(), bed.run)
                    .redirectErrorStream(true);
            // The script lives outside the npm cache; NODE_PATH lets its require() find the library there.
            builder.environment().put("NODE_PATH", SegmentNpmPackages.home().resolve("node_modules").toString());
            Process node = builder.start();
            node.getOutputStream().close();
            assertThat(node.waitFor(60, TimeUnit.SECONDS)).as("node finished").isTrue();
            String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(node.exitValue()).as(output).isZero();
            assertThat(output).contains("sent");

            Map<String, JsonNode> events = bed.awaitCalls(LibraryTestbed.SIX);

            bed.assertSixCalls(events, "@segment/analytics-node");
        }
    }
}
