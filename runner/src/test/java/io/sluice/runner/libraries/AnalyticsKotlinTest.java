package io.sluice.runner.libraries;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.segment.analytics.kotlin.core.Configuration;
import com.segment.analytics.kotlin.core.RequestFactory;
import com.segment.analytics.kotlin.core.Telemetry;
import com.segment.analytics.kotlin.core.compat.ConfigurationBuilder;
import com.segment.analytics.kotlin.core.compat.JavaAnalytics;
import io.sluice.runner.testing.LocalKinesis;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * analytics-kotlin 1.27.0 (the Android library's core, which runs on any JVM) from Maven Central.
 * It fetches its settings from {@code cdnHost}, takes {@code apiHost} from them, and uploads
 * {@code /v1/b} as gzip with chunked transfer, {@code text/plain}, the write key only in the body.
 *
 * <p>It only speaks https, so the one change is a {@link RequestFactory} that opens the same URLs
 * with http; every header and the body stay the library's own. analytics-kotlin has no page call
 * (apps have screens), so five calls go.
 */
class AnalyticsKotlinTest {

    static final List<String> FIVE = List.of("identify", "track", "screen", "group", "alias");

    @RegisterExtension
    static final LocalKinesis kinesis = new LocalKinesis();

    @TempDir
    Path dir;

    @BeforeAll
    static void disableTelemetry() {
        // Its own telemetry would go to Segment; there is nothing to reach here.
        Telemetry.INSTANCE.setEnable(false);
    }

    /** The library's requests, unchanged but for the scheme. */
    static final class PlainHttp extends RequestFactory {
        final List<String> opened = new CopyOnWriteArrayList<>();
        final List<String> uploadHeaders = new CopyOnWriteArrayList<>();

        @Override
        public HttpURLConnection openConnection(String url) {
            String plain = url.replaceFirst("^https://", "http://");
            opened.add(plain);
            return super.openConnection(plain);
        }

        /** Notes the headers the library set on an upload, before it sends it. */
        @Override
        public HttpURLConnection upload(String apiHost) {
            HttpURLConnection connection = super.upload(apiHost);
            uploadHeaders.add(connection.getRequestProperty("Content-Type") + "; encoding="
                    + connection.getRequestProperty("Content-Encoding") + "; auth="
                    + connection.getRequestProperty("Authorization"));
            return connection;
        }
    }

    @Test
    void fiveCallsArriveInKinesisAfterTheSettingsDocumentPointsTheLibraryAtSluice() throws Exception {
        try (LibraryTestbed bed = new LibraryTestbed(kinesis.server(), dir, "")) {
            PlainHttp http = new PlainHttp();
            // apiHost is left at Segment's default: only the settings document from Sluice can point uploads back at it.
            Configuration configuration = new ConfigurationBuilder(bed.writeKey)
                    .setApplication("sluice-test") // any object on the JVM; Android passes its Context
                    .setCdnHost(bed.hostAndPort() + "/v1")
                    .setRequestFactory(http)
                    .setFlushAt(5)
                    .setFlushInterval(60)
                    .build();
            JavaAnalytics analytics = new JavaAnalytics(configuration);
            try {
                String user = bed.user();
                analytics.identify(user, Map.of("email", bed.run + "@example.com"));
                analytics.track("Order Completed", Map.of("orderId", bed.run + "-order", "revenue", 42));
                analytics.screen("Settings", Map.of("tab", "billing"));
                analytics.group(bed.run + "-group", Map.of("name", "Initech"));
                analytics.alias(bed.run + "-alias");
                analytics.flush();

                Map<String, JsonNode> events = bed.awaitCalls(FIVE);

                bed.assertSixCalls(events, "analytics-kotlin");
                assertThat(http.opened).contains(
                        bed.baseUrl() + "/v1/projects/" + bed.writeKey + "/settings", bed.baseUrl() + "/v1/b");
                assertThat(http.opened).allSatisfy(url -> assertThat(url).startsWith(bed.baseUrl()));
                assertThat(http.uploadHeaders).containsOnly("text/plain; encoding=gzip; auth=null");
                // Sluice answered the gzip, chunked upload 200, so the library does not send it again.
                String metrics = bed.sluice().get("/metrics").body();
                assertThat(metrics).containsPattern("sluice_http_requests_total\\{endpoint=\"b\",status=\"200\"\\} 1(\\.0)?\\n");
            } finally {
                analytics.getAnalytics().shutdown();
                deleteStorage(bed.writeKey);
            }
        }
    }

    /** analytics-kotlin keeps its queue under /tmp/analytics-kotlin/WRITEKEY on the JVM. */
    private static void deleteStorage(String writeKey) throws IOException {
        Path storage = Path.of("/tmp/analytics-kotlin", writeKey);
        if (Files.exists(storage)) {
            try (Stream<Path> files = Files.walk(storage)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
