package io.sluice.runner.admin;

import static io.sluice.runner.testing.AdminClient.destination;
import static io.sluice.runner.testing.TestSluice.basic;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.runner.routing.Pipeline;
import io.sluice.runner.routing.Route;
import io.sluice.runner.testing.AdminClient;
import io.sluice.runner.testing.MemoryDestinationProvider;
import io.sluice.runner.testing.TestSluice;
import io.sluice.spi.event.Event;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A destination rebuilt with new settings, while it holds events and while events keep coming, loses none. */
class LiveRebuildTest {

    static final String TOKEN = "admin-token-for-rebuild-tests";
    static final String KEY = "wk-rebuild-tests";
    static final String NAME = "web/memory";

    @TempDir
    Path dir;

    TestSluice start(String instance, String mode) throws Exception {
        return TestSluice.start(dir, AdminClient.adminYaml(dir, TOKEN, ", rebuildTimeoutMs: 300")
                + TestSluice.memorySource(KEY, instance, ", mode: " + mode));
    }

    static String settings(String instance, String mode) {
        return "{\"settings\":{\"instance\":\"" + instance + "\",\"mode\":\"" + mode + "\"}}";
    }

    static List<String> delivered(String instance) {
        MemoryDestinationProvider.MemoryDestination d = MemoryDestinationProvider.instance(instance);
        return d == null ? List.of() : d.delivered().stream().map(Event::messageId).toList();
    }

    static Route route(TestSluice sluice) {
        return sluice.server().pipeline().routes().stream().filter(r -> r.name().equals(NAME)).findFirst().orElseThrow();
    }

    @Test
    void eventsTheOldDestinationHeldAreDeliveredByTheNewOneExactlyOnce() throws Exception {
        StringBuilder batch = new StringBuilder("{\"batch\":[");
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            sent.add("held-" + i);
            batch.append(i == 0 ? "" : ",").append("{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"messageId\":\"held-")
                    .append(i).append("\"}");
        }
        batch.append("]}");
        try (TestSluice sluice = start("rebuild-hang", "hang")) {
            AdminClient admin = new AdminClient(sluice.server().adminBaseUrl().orElseThrow(), TOKEN);
            assertThat(sluice.post("/v1/batch", batch.toString(), basic(KEY)).statusCode()).isEqualTo(200);
            TestSluice.await("the hanging destination to hold every event", () -> route(sluice).bufferedEvents() == 25);

            HttpResponse<String> rebuilt = admin.bearer("PUT", destination("web", NAME), settings("rebuild-deliver", "deliver"));

            assertThat(rebuilt.statusCode()).as(rebuilt.body()).isEqualTo(200);
            TestSluice.await("the new destination to deliver what the old one held",
                    () -> delivered("rebuild-deliver").size() >= 25);
            assertThat(delivered("rebuild-deliver")).containsExactlyInAnyOrderElementsOf(sent);
            assertThat(delivered("rebuild-hang")).isEmpty();
            assertThat(MemoryDestinationProvider.instance("rebuild-hang").closed()).isTrue();
            // The destination records a batch before its outcomes reach the engine: the buffer empties just after.
            TestSluice.await("the buffer to empty", () -> route(sluice).bufferedEvents() == 0);
            assertThat(sluice.deadLetterLines()).isEmpty();
        }
        // The stored change wins over the file at the next start, and the spool rows were released
        // under the destination's unchanged name: nothing is delivered again.
        try (TestSluice sluice = start("rebuild-hang", "hang")) {
            assertThat(sluice.post("/v1/track", "{\"userId\":\"u\",\"event\":\"E\",\"messageId\":\"marker\"}",
                    basic(KEY)).statusCode()).isEqualTo(200);
            TestSluice.await("the marker", () -> delivered("rebuild-deliver").contains("marker"));
            assertThat(delivered("rebuild-deliver")).containsExactly("marker");
        }
    }

    @Test
    void removingADestinationThatHoldsEventsDeadLettersAndCountsThemAsFailed() throws Exception {
        try (TestSluice sluice = start("remove-hang", "hang")) {
            AdminClient admin = new AdminClient(sluice.server().adminBaseUrl().orElseThrow(), TOKEN);
            for (int i = 0; i < 3; i++) {
                assertThat(sluice.post("/v1/track", "{\"userId\":\"u\",\"event\":\"E\",\"messageId\":\"held-by-removed-"
                        + i + "\"}", basic(KEY)).statusCode()).isEqualTo(200);
            }
            TestSluice.await("the hanging destination to hold every event", () -> route(sluice).bufferedEvents() == 3);

            HttpResponse<String> removed = admin.bearer("DELETE", destination("web", NAME), null);

            assertThat(removed.statusCode()).as(removed.body()).isEqualTo(200);
            assertThat(AdminClient.JSON.readTree(removed.body()).get("deadLettered").asInt()).isEqualTo(3);
            assertThat(sluice.deadLetterLines()).hasSize(3).allSatisfy(line -> assertThat(line)
                    .contains(Pipeline.REMOVED_REASON).contains("\"destination\":\"" + NAME + "\""));
            assertThat(sluice.get("/metrics").body())
                    .contains("sluice_events_failed_total{destination=\"" + NAME + "\"} 3.0");
        }
    }

    @Test
    void rebuildsWhileRequestsKeepComingLoseNothingAndDuplicateNothing() throws Exception {
        int threads = 4;
        int perThread = 60;
        try (TestSluice sluice = start("flow-0", "deliver")) {
            AdminClient admin = new AdminClient(sluice.server().adminBaseUrl().orElseThrow(), TOKEN);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            Set<String> accepted = ConcurrentHashMap.newKeySet();
            try {
                List<Future<?>> senders = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    senders.add(pool.submit(() -> {
                        for (int i = 0; i < perThread; i++) {
                            String id = "flow-" + thread + "-" + i;
                            HttpResponse<String> r = sluice.post("/v1/track",
                                    "{\"userId\":\"u\",\"event\":\"E\",\"messageId\":\"" + id + "\"}", basic(KEY));
                            if (r.statusCode() == 200) {
                                accepted.add(id);
                            }
                        }
                        return null;
                    }));
                }
                for (int round = 1; round <= 3; round++) {
                    int before = accepted.size();
                    TestSluice.await("more events during round", () -> accepted.size() > before
                            || senders.stream().allMatch(Future::isDone));
                    HttpResponse<String> r = admin.bearer("PUT", destination("web", NAME), settings("flow-" + round, "deliver"));
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                }
                for (Future<?> f : senders) {
                    f.get();
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(accepted).hasSize(threads * perThread);
            TestSluice.await("every accepted event to be delivered", () -> IntStream.rangeClosed(0, 3)
                    .mapToObj(i -> delivered("flow-" + i)).mapToInt(List::size).sum() >= accepted.size());
            List<String> all = IntStream.rangeClosed(0, 3).mapToObj(i -> delivered("flow-" + i))
                    .flatMap(List::stream).toList();
            assertThat(all).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(accepted);
            assertThat(delivered("flow-3")).isNotEmpty();
        }
    }
}
