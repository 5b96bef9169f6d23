package io.sluice.runner.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** Reads the dashboard's debugger feed (server-sent events) as a script would, with the bearer token. */
public final class EventStream implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final HttpResponse<Stream<String>> response;
    private final List<JsonNode> entries = new ArrayList<>();
    private final List<String> raw = new ArrayList<>();
    private final Thread reader;

    private EventStream(HttpResponse<Stream<String>> response) {
        this.response = response;
        this.reader = new Thread(this::read, "test-sse-reader");
        reader.setDaemon(true);
        reader.start();
    }

    public static EventStream open(String adminBase, String token) throws Exception {
        return open(adminBase, Map.of("Authorization", "Bearer " + token));
    }

    /** With the given credential headers, e.g. a dashboard session's {@code Cookie}. */
    public static EventStream open(String adminBase, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(adminBase + "/api/events/stream"))
                .header("Accept", "text/event-stream").GET();
        headers.forEach(request::header);
        return new EventStream(HTTP.sendAsync(request.build(), HttpResponse.BodyHandlers.ofLines()).get(30, TimeUnit.SECONDS));
    }

    /** Whether the server ended the stream within the usual wait. */
    public boolean awaitEnd() throws InterruptedException {
        reader.join(TestSluice.WAIT.toMillis());
        return !reader.isAlive();
    }

    public HttpResponse<Stream<String>> response() {
        return response;
    }

    private void read() {
        try {
            response.body().forEach(line -> {
                synchronized (entries) {
                    raw.add(line);
                    if (line.startsWith("data:")) {
                        try {
                            entries.add(AdminClient.JSON.readTree(line.substring(5).trim()));
                        } catch (Exception e) {
                            throw new IllegalStateException("not JSON: " + line, e);
                        }
                    }
                    entries.notifyAll();
                }
            });
        } catch (RuntimeException e) {
            // closed
        }
    }

    /** Waits (bounded) for an entry matching {@code test}; the latest such entry. */
    public JsonNode await(String what, Predicate<JsonNode> test) throws InterruptedException {
        long deadline = System.nanoTime() + TestSluice.WAIT.toNanos();
        synchronized (entries) {
            while (true) {
                for (int i = entries.size() - 1; i >= 0; i--) {
                    if (test.test(entries.get(i))) {
                        return entries.get(i);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("timed out waiting for " + what + "; got " + entries);
                }
                entries.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }

    /** Every line received so far. */
    public List<String> lines() {
        synchronized (entries) {
            return List.copyOf(raw);
        }
    }

    @Override
    public void close() {
        response.body().close();
        reader.interrupt();
    }
}
