package io.sluice.runner.reliability;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A few client threads posting {@code /v1/batch} with unique {@code messageId}s, as a Segment library
 * would: a batch answered 429, 503 or 507, or lost to a connection error, is sent again (same ids)
 * after a pause; only a 200 counts as accepted. Any other answer is recorded as unexpected.
 */
final class LoadGenerator implements AutoCloseable {

    private final Supplier<URI> baseUrl;
    private final String authorization;
    private final String prefix;
    private final int threads;
    private final int batchSize;
    private final long maxEvents;
    private final Duration pause;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private final Set<String> accepted = ConcurrentHashMap.newKeySet();
    private final Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
    private final AtomicLong connectionErrors = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong generated = new AtomicLong();
    private final List<String> unexpected = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<Thread> workers = new ArrayList<>();
    private volatile boolean running;
    private volatile boolean paused;

    /**
     * @param maxEvents stop generating new batches once this many events were generated (the batch in
     *                  hand is still sent until accepted or the generator is stopped)
     * @param pause     between two batches of one thread
     */
    LoadGenerator(Supplier<URI> baseUrl, String writeKey, String prefix, int threads, int batchSize, long maxEvents,
                  Duration pause) {
        this.baseUrl = baseUrl;
        this.authorization = "Basic " + Base64.getEncoder().encodeToString((writeKey + ":").getBytes(StandardCharsets.UTF_8));
        this.prefix = prefix;
        this.threads = threads;
        this.batchSize = batchSize;
        this.maxEvents = maxEvents;
        this.pause = pause;
    }

    LoadGenerator start() {
        running = true;
        for (int t = 0; t < threads; t++) {
            int thread = t;
            Thread worker = new Thread(() -> run(thread), "load-" + prefix + "-" + t);
            worker.setDaemon(true);
            workers.add(worker);
            worker.start();
        }
        return this;
    }

    /** Holds new requests (the batch in hand is kept) until {@link #resume()}. */
    void pause() {
        paused = true;
    }

    void resume() {
        paused = false;
    }

    /** Stops the threads; a batch that was not accepted by then is not counted. */
    void stop() throws InterruptedException {
        running = false;
        for (Thread worker : workers) {
            worker.join(60_000);
        }
    }

    /** Waits until every thread has generated its share and had it accepted (or the timeout passes). */
    boolean awaitDone(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread worker : workers) {
            long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
            worker.join(left);
        }
        return workers.stream().noneMatch(Thread::isAlive);
    }

    Set<String> accepted() {
        return Set.copyOf(accepted);
    }

    long acceptedCount() {
        return accepted.size();
    }

    long requests() {
        return requests.get();
    }

    long connectionErrors() {
        return connectionErrors.get();
    }

    long generated() {
        return generated.get();
    }

    long status(int code) {
        AtomicLong n = statuses.get(code);
        return n == null ? 0 : n.get();
    }

    /** Answers per status code, e.g. {@code {200=310, 507=12}}. */
    String statuses() {
        Map<Integer, Long> sorted = new TreeMap<>();
        statuses.forEach((k, v) -> sorted.put(k, v.get()));
        return sorted.toString().replace(" ", "");
    }

    /** Answers that neither a retry nor a success explains (a 5xx other than 503/507, a 4xx). */
    List<String> unexpected() {
        return List.copyOf(unexpected);
    }

    private void run(int thread) {
        long seq = 0;
        while (running) {
            if (generated.addAndGet(batchSize) > maxEvents) {
                generated.addAndGet(-batchSize);
                return;
            }
            List<String> ids = new ArrayList<>(batchSize);
            for (int i = 0; i < batchSize; i++) {
                ids.add(prefix + "-" + thread + "-" + seq++);
            }
            byte[] body = body(ids, thread);
            while (running) {
                if (paused) {
                    sleep(20);
                    continue;
                }
                int status = send(body);
                if (status == 200) {
                    accepted.addAll(ids);
                    sleep(pause.toMillis());
                    break;
                }
                sleep(status == -1 ? 200 : 100);
            }
        }
    }

    /** @return the status, or -1 when the request got no answer */
    private int send(byte[] body) {
        requests.incrementAndGet();
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(baseUrl.get().resolve("/v1/batch"))
                            .timeout(Duration.ofSeconds(60))
                            .header("Content-Type", "application/json")
                            .header("Authorization", authorization)
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            int status = response.statusCode();
            statuses.computeIfAbsent(status, s -> new AtomicLong()).incrementAndGet();
            if (status == 200 && response.body().contains("\"rejected\"")
                    || status != 200 && status != 429 && status != 503 && status != 507) {
                unexpected.add(status + " " + response.body());
            }
            if ((status == 507 || status == 503 || status == 429) && !response.body().contains("\"success\":false")) {
                unexpected.add(status + " without an error body: " + response.body());
            }
            return status;
        } catch (IOException e) {
            connectionErrors.incrementAndGet();
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
            return -1;
        }
    }

    private static byte[] body(List<String> ids, int thread) {
        StringBuilder json = new StringBuilder(ids.size() * 200).append("{\"batch\":[");
        for (int i = 0; i < ids.size(); i++) {
            if (i > 0) {
                json.append(',');
            }
            json.append("{\"type\":\"track\",\"userId\":\"user-").append(thread).append('-').append(i % 7)
                    .append("\",\"event\":\"Reliability Probe\",\"messageId\":\"").append(ids.get(i))
                    .append("\",\"properties\":{\"i\":").append(i).append(",\"note\":\"at-least-once\"}}");
        }
        return json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void sleep(long millis) {
        if (millis <= 0) {
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
