package io.sluice.runner.libraries;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.segment.analytics.Analytics;
import com.segment.analytics.Callback;
import com.segment.analytics.messages.AliasMessage;
import com.segment.analytics.messages.GroupMessage;
import com.segment.analytics.messages.IdentifyMessage;
import com.segment.analytics.messages.Message;
import com.segment.analytics.messages.PageMessage;
import com.segment.analytics.messages.ScreenMessage;
import com.segment.analytics.messages.TrackMessage;
import io.sluice.runner.testing.LocalKinesis;
import io.sluice.runner.testing.TestSluice;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * analytics-java 3.5.4 from Maven Central, pointed at Sluice with {@code endpoint(...)}: it posts
 * {@code /v1/import/} (trailing slash) with {@code application/json; charset=UTF-8}, the write key
 * in the body and no Authorization header, and a batch-level {@code context} and {@code sentAt}.
 */
class AnalyticsJavaTest {

    @RegisterExtension
    static final LocalKinesis kinesis = new LocalKinesis();

    @TempDir
    Path dir;

    @Test
    void allSixCallsArriveInKinesis() throws Exception {
        try (LibraryTestbed bed = new LibraryTestbed(kinesis.server(), dir, "")) {
            List<String> succeeded = new CopyOnWriteArrayList<>();
            List<String> failed = new CopyOnWriteArrayList<>();
            Analytics analytics = Analytics.builder(bed.writeKey)
                    .endpoint(bed.baseUrl())
                    .flushQueueSize(6)
                    .callback(new Callback() {
                        @Override
                        public void success(Message message) {
                            succeeded.add(message.type().name());
                        }

                        @Override
                        public void failure(Message message, Throwable throwable) {
                            failed.add(message.type().name() + ": " + throwable);
                        }
                    })
                    .build();
            try {
                String user = bed.user();
                analytics.enqueue(IdentifyMessage.builder().userId(user).traits(Map.of("email", bed.run + "@example.com")));
                analytics.enqueue(TrackMessage.builder("Order Completed").userId(user)
                        .properties(Map.of("orderId", bed.run + "-order", "revenue", 42)));
                analytics.enqueue(PageMessage.builder("Pricing").userId(user));
                analytics.enqueue(ScreenMessage.builder("Settings").userId(user));
                analytics.enqueue(GroupMessage.builder(bed.run + "-group").userId(user).traits(Map.of("name", "Initech")));
                analytics.enqueue(AliasMessage.builder(user).userId(bed.run + "-alias"));
                analytics.flush();

                Map<String, JsonNode> events = bed.awaitCalls(LibraryTestbed.SIX);

                bed.assertSixCalls(events, "analytics-java");
                // The batch's context (library, instanceId) was merged into every event.
                assertThat(events.values()).allSatisfy(e ->
                        assertThat(e.path("context").path("instanceId").asText()).isNotEmpty());
                // The library read Sluice's answer as a success for each message.
                TestSluice.await("analytics-java's success callbacks", () -> succeeded.size() == 6 || !failed.isEmpty());
                assertThat(failed).isEmpty();
                assertThat(succeeded).hasSize(6);
            } finally {
                analytics.shutdown();
            }
        }
    }
}
