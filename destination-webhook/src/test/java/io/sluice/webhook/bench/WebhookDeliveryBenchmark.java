package io.sluice.webhook.bench;

import com.sun.net.httpserver.HttpServer;
import io.sluice.core.delivery.DeliveryEngine;
import io.sluice.core.delivery.DeliveryListener;
import io.sluice.core.delivery.DeliveryPolicy;
import io.sluice.spi.Destination;
import io.sluice.spi.DestinationProvider;
import io.sluice.spi.Outcome;
import io.sluice.spi.event.Event;
import io.sluice.spi.event.EventType;
import io.sluice.webhook.WebhookDestinationProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The webhook with batching on, into a local receiver on 127.0.0.1 (the JDK's HTTP server, which
 * reads each body and counts its calls), in events per second, two ways in one process:
 * <ol>
 *   <li>the limit: a hand-written {@code java.net.http} loop posting the same bodies (JSON arrays of
 *       100 calls, signed with the same HMAC-SHA1), 8 requests in flight as the engine's default allows;</li>
 *   <li>Sluice: the {@link DeliveryEngine} (default policy) driving the webhook destination.</li>
 * </ol>
 * Both clocks run from the first request built to the last answer. After a full-size warm-up of
 * each, every round runs the two back to back, the one going first alternating (an even number of
 * rounds: as often first as second), the heap collected before each. On a shared
 * machine the load moves between rounds, so the figure is the median of the rounds' own ratios (a
 * pair shares its round's load); every round is printed, with the load average.
 * Run: this class's {@code main [events] [rounds]}.
 */
public final class WebhookDeliveryBenchmark {

    private static final String SECRET = "benchmark-shared-secret";
    private static final int BATCH = 100;
    private static final int IN_FLIGHT = DeliveryPolicy.DEFAULT_MAX_IN_FLIGHT_REQUESTS;

    /** One round: both contenders, back to back. */
    public record Round(double httpLoopEventsPerSecond, double sluiceEventsPerSecond) {
        double ratio() {
            return sluiceEventsPerSecond / httpLoopEventsPerSecond;
        }
    }

    public record Result(List<Round> rounds) {
        /** The median of the rounds' ratios: the figure BENCHMARKS.md reports. */
        public double ratio() {
            return median(rounds.stream().mapToDouble(Round::ratio).toArray());
        }

        public double httpLoopEventsPerSecond() {
            return median(rounds.stream().mapToDouble(Round::httpLoopEventsPerSecond).toArray());
        }

        public double sluiceEventsPerSecond() {
            return median(rounds.stream().mapToDouble(Round::sluiceEventsPerSecond).toArray());
        }
    }

    /** Counts the calls that arrive: each holds one "messageId". */
    public static final class Receiver implements AutoCloseable {
        private final HttpServer server;
        private final ExecutorService threads = Executors.newFixedThreadPool(IN_FLIGHT);
        final AtomicLong calls = new AtomicLong();

        public Receiver() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
            server.createContext("/", exchange -> {
                try (exchange; InputStream in = exchange.getRequestBody()) {
                    calls.addAndGet(count(in.readAllBytes()));
                    exchange.sendResponseHeaders(200, -1);
                }
            });
            server.setExecutor(threads);
            server.start();
        }

        URI url() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
        }

        public long calls() {
            return calls.get();
        }

        private static int count(byte[] body) {
            byte[] needle = "\"messageId\"".getBytes(StandardCharsets.UTF_8);
            int found = 0;
            outer:
            for (int i = 0; i + needle.length <= body.length; i++) {
                for (int j = 0; j < needle.length; j++) {
                    if (body[i + j] != needle[j]) {
                        continue outer;
                    }
                }
                found++;
            }
            return found;
        }

        @Override
        public void close() {
            server.stop(0);
            threads.shutdownNow();
        }
    }

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 6;
        try (Receiver receiver = new Receiver()) {
            run(receiver, events, 1, false); // warm-up at full size
            String loadBefore = loadAverage();
            Result result = run(receiver, events, rounds, true);
            System.out.printf("RESULT webhook java.net.http-loop=%.0f ev/s sluice=%.0f ev/s sluice/http-loop=%.2f "
                            + "(median of %d rounds of %,d events: %s; load average %s, then %s)%n",
                    result.httpLoopEventsPerSecond(), result.sluiceEventsPerSecond(), result.ratio(), rounds, events,
                    result.rounds().stream().map(r -> String.format("%.2f", r.ratio())).toList(), loadBefore, loadAverage());
        }
    }

    public static Result run(Receiver receiver, int count, int rounds, boolean print) throws Exception {
        List<Event> events = events(count, 42);
        List<Round> results = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            boolean loopFirst = round % 2 == 1;
            int number = round;
            double l = 0;
            if (loopFirst) {
                l = measured(() -> httpLoop(receiver, events));
            }
            double s = measured(() -> sluice(receiver, events));
            if (!loopFirst) {
                l = measured(() -> httpLoop(receiver, events));
            }
            Round r = new Round(l, s);
            results.add(r);
            if (print) {
                System.out.printf("round %d (%s first): java.net.http loop %.0f ev/s, sluice %.0f ev/s, ratio %.2f, load %s%n",
                        round, loopFirst ? "loop" : "sluice", l, s, r.ratio(), loadAverage());
            }
        }
        return new Result(results);
    }

    /** One contender's run, on a heap cleared of the other one's garbage. */
    private static double measured(java.util.concurrent.Callable<Double> contender) throws Exception {
        System.gc();
        return contender.call();
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /** The 1-minute load average, as uptime shows it (other people share this machine). */
    static String loadAverage() {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    static double httpLoop(Receiver receiver, List<Event> events) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        long before = receiver.calls();
        Semaphore inFlight = new Semaphore(IN_FLIGHT);
        List<CompletableFuture<?>> answers = new ArrayList<>();
        AtomicLong failed = new AtomicLong();
        long start = System.nanoTime();
        for (int from = 0; from < events.size(); from += BATCH) {
            byte[] body = array(events.subList(from, Math.min(events.size(), from + BATCH)));
            inFlight.acquire();
            HttpRequest request = HttpRequest.newBuilder(receiver.url())
                    .header("Content-Type", "application/json")
                    .header("X-Signature", sign(body))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            answers.add(client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, e) -> {
                if (e != null || response.statusCode() != 200) {
                    failed.incrementAndGet();
                }
                inFlight.release();
            }));
        }
        CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
        double rate = rate(events.size(), start);
        if (failed.get() != 0 || receiver.calls() - before != events.size()) {
            throw new IllegalStateException("the loop failed " + failed + " requests; " + (receiver.calls() - before)
                    + " of " + events.size() + " calls arrived");
        }
        return rate;
    }

    static double sluice(Receiver receiver, List<Event> events) throws Exception {
        long before = receiver.calls();
        DestinationProvider provider = new WebhookDestinationProvider();
        Destination destination = provider.create(provider.settingsSchema().parse(Map.of(
                "urls", receiver.url().toString(), "sharedSecret", SECRET, "batching", true)));
        destination.open();
        AtomicLong delivered = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        DeliveryEngine engine = new DeliveryEngine("bench", destination, DeliveryPolicy.defaults()
                .withMaxBufferedBytes(Long.MAX_VALUE), new DeliveryListener() {
                    @Override
                    public void delivered(Event event, Outcome.Delivered outcome, Duration latency) {
                        delivered.incrementAndGet();
                    }

                    @Override
                    public void failed(Event event, String reason) {
                        failed.incrementAndGet();
                    }
                });
        long start = System.nanoTime();
        events.forEach(engine::offer);
        engine.flush().get(10, TimeUnit.MINUTES);
        double rate = rate(events.size(), start);
        engine.close(Duration.ofSeconds(10));
        if (delivered.get() != events.size() || failed.get() != 0 || receiver.calls() - before != events.size()) {
            throw new IllegalStateException("sluice delivered " + delivered + " and failed " + failed + " of " + events.size()
                    + "; " + (receiver.calls() - before) + " calls arrived");
        }
        return rate;
    }

    /** The JSON array of the calls, their bytes copied as they are (no decoding to text and back). */
    private static byte[] array(List<Event> events) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(events.stream().mapToInt(Event::jsonLength).sum() + events.size() + 1);
        out.write('[');
        for (int i = 0; i < events.size(); i++) {
            if (i > 0) {
                out.write(',');
            }
            java.nio.ByteBuffer json = events.get(i).json();
            byte[] bytes = new byte[json.remaining()];
            json.duplicate().get(bytes);
            out.writeBytes(bytes);
        }
        out.write(']');
        return out.toByteArray();
    }

    private static String sign(byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        return HexFormat.of().formatHex(mac.doFinal(body));
    }

    private static double rate(int events, long startNanos) {
        return events / ((System.nanoTime() - startNanos) / 1e9);
    }

    /** Track calls of about 1.5 KB, the size of an analytics.js track call with its context. */
    static List<Event> events(int count, long seed) {
        Random random = new Random(seed);
        String context = "\"context\":{\"library\":{\"name\":\"analytics.js\",\"version\":\"next-1.70.0\"},"
                + "\"page\":{\"path\":\"/academy/\",\"referrer\":\"https://www.google.com/\",\"title\":\"Analytics Academy\","
                + "\"url\":\"https://segment.com/academy/\"},\"userAgent\":\"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) "
                + "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36\",\"locale\":\"en-US\","
                + "\"timezone\":\"Europe/Amsterdam\",\"ip\":\"203.0.113.7\"}";
        List<Event> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String id = "bench-" + seed + "-" + i;
            String user = "user-" + random.nextInt(10_000);
            StringBuilder props = new StringBuilder();
            for (int p = 0; p < 24; p++) {
                props.append(p == 0 ? "" : ",").append("\"prop_").append(p).append("\":\"value ")
                        .append(random.nextInt(1_000_000)).append(" of the property\"");
            }
            String json = "{\"type\":\"track\",\"messageId\":\"" + id + "\",\"userId\":\"" + user
                    + "\",\"event\":\"Course Clicked\",\"properties\":{" + props + "}," + context
                    + ",\"timestamp\":\"2024-05-01T12:00:00.000Z\",\"receivedAt\":\"2024-05-01T12:00:00.100Z\"}";
            events.add(Event.builder(EventType.TRACK, id, json.getBytes(StandardCharsets.UTF_8))
                    .userId(user).eventName("Course Clicked")
                    .timestamp(Instant.parse("2024-05-01T12:00:00Z")).receivedAt(Instant.parse("2024-05-01T12:00:00.100Z"))
                    .build());
        }
        return events;
    }
}
