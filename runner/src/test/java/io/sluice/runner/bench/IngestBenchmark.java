package io.sluice.runner.bench;

import io.sluice.core.bench.BenchPayloads;
import io.sluice.runner.config.ConfigLoader;
import io.sluice.runner.config.SluiceConfig;
import io.sluice.runner.plugins.PluginRegistry;
import io.sluice.runner.server.SluiceServer;
import io.sluice.runner.testing.MemoryDestinationProvider;
import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.spec.SpecJson;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.BlockingHandler;
import io.undertow.util.Headers;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTTP ingest of {@code /v1/batch} requests of 100 events, driven by {@code wrk} on loopback,
 * against three endpoints on the same HTTP server library (Undertow) in the same process:
 * <ol>
 *   <li><b>hello-world</b>, the target's baseline: a handler as Undertow's documentation writes one,
 *       reading the body with {@code receiveFullBytes} and answering {@code {"success":true}};</li>
 *   <li><b>transport floor</b>: the same, reading the body in bulk, as Sluice now does. Undertow's
 *       {@code receiveFullBytes} copies a body byte by byte, so this is what HTTP alone costs;</li>
 *   <li><b>JSON floor</b>: the transport floor plus what any JSON pipeline does at least, reading
 *       the body into a tree and writing each call back out.</li>
 * </ol>
 * Rounds alternate the contenders so a noisy machine weighs on all of them; the medians count.
 * Then Sluice with the spool's other fsync policies and without it, once each, and the same load
 * against a destination that never answers, to show memory stays bounded: the destination's window
 * holds its bound and the backlog waits on disk while requests are still answered 200.
 * Run it with a 256 MiB heap: {@code bench/run ingest}, or {@code main [seconds] [connections] [rounds]}.
 */
public final class IngestBenchmark {

    static final String KEY = "bench-write-key";
    static final int EVENTS_PER_REQUEST = 100;
    private static final Pattern REQUESTS = Pattern.compile("(\\d+) requests in");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");

    /** One wrk run: requests answered 2xx, others, and the seconds it ran. */
    record Load(long ok, long other, double seconds) {
        double eventsPerSecond() {
            return ok * EVENTS_PER_REQUEST / seconds;
        }
    }

    /** A baseline endpoint, and how many body bytes it has read (so a test can see it reads them all). */
    record Baseline(Undertow server, AtomicLong bodyBytes) {
        String url() {
            return "http://127.0.0.1:" + ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
        }
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int connections = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Path dir = Files.createTempDirectory("sluice-ingest-bench");
        Path body = Files.write(dir.resolve("batch.json"), BenchPayloads.batches(1, EVENTS_PER_REQUEST, 11).get(0));
        Path script = wrkScript(dir, body);
        System.out.printf("batch body: %d bytes, %d events; wrk -t2 -c%d -d%ds; %d rounds; heap max %d MiB%n", Files.size(body),
                EVENTS_PER_REQUEST, connections, seconds, rounds, Runtime.getRuntime().maxMemory() >> 20);

        Baseline hello = helloWorld();
        Baseline transport = transportFloor();
        Baseline json = jsonFloor();
        List<Double> helloRuns = new ArrayList<>();
        List<Double> ratios = new ArrayList<>();
        try (SluiceServer sluice = sluice(dir.resolve("spool-always.db"), "always", "discard", "balways", 256L << 20)) {
            for (String url : List.of(hello.url(), transport.url(), json.url(), sluice.baseUrl())) {
                wrk(script, url, 2, connections, 3); // warm-up
            }
            List<Double> transportRuns = new ArrayList<>();
            List<Double> jsonRuns = new ArrayList<>();
            List<Double> sluiceRuns = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                double h = wrk(script, hello.url(), 2, connections, seconds).eventsPerSecond();
                double s = wrk(script, sluice.baseUrl(), 2, connections, seconds).eventsPerSecond();
                double t = wrk(script, transport.url(), 2, connections, seconds).eventsPerSecond();
                double j = wrk(script, json.url(), 2, connections, seconds).eventsPerSecond();
                helloRuns.add(h);
                sluiceRuns.add(s);
                transportRuns.add(t);
                jsonRuns.add(j);
                ratios.add(s / h);
                System.out.printf("round %d: hello-world %.0f ev/s, sluice fsync=always %.0f ev/s (ratio %.2f), "
                        + "transport floor %.0f ev/s, JSON floor %.0f ev/s%n", round, h, s, s / h, t, j);
            }
            System.out.printf("RESULT ingest sluice fsync=always: %.0f events/s, hello-world %.0f events/s, ratio %.2f "
                            + "(median of %d rounds: %s); delivered to the destination: %d events%n",
                    Median.of(sluiceRuns), Median.of(helloRuns), Median.of(ratios), rounds, ratios.stream()
                            .map(r -> String.format("%.2f", r)).toList(), MemoryDestinationProvider.instance("balways").discarded());
            System.out.printf("RESULT ingest transport floor (body read in bulk): %.0f events/s; sluice/transport %.2f%n",
                    Median.of(transportRuns), Median.of(sluiceRuns) / Median.of(transportRuns));
            System.out.printf("RESULT ingest JSON floor (bulk read, readTree, each call written): %.0f events/s; sluice/JSON %.2f%n",
                    Median.of(jsonRuns), Median.of(sluiceRuns) / Median.of(jsonRuns));
        } finally {
            hello.server().stop();
            transport.server().stop();
            json.server().stop();
        }
        // What durability costs: the other policies and no spool, once each, against the median hello-world.
        for (String fsync : new String[] {"interval", "off"}) {
            try (SluiceServer sluice = sluice(dir.resolve("spool-" + fsync + ".db"), fsync, "discard", "b" + fsync, 256L << 20)) {
                wrk(script, sluice.baseUrl(), 2, connections, 3);
                Load load = wrk(script, sluice.baseUrl(), 2, connections, seconds);
                System.out.printf("RESULT ingest %s: %.0f events/s, ratio to the median hello-world %.2f%n",
                        fsync.equals("off") ? "sluice without spool" : "sluice spool fsync=" + fsync,
                        load.eventsPerSecond(), load.eventsPerSecond() / Median.of(helloRuns));
            }
        }
        try (SluiceServer sluice = sluice(dir.resolve("spool-hang.db"), "interval", "hang", "bhang", 16L << 20)) {
            Load load = wrk(script, sluice.baseUrl(), 2, connections, Math.max(5, seconds / 2));
            var route = sluice.pipeline().routes().get(0);
            System.out.printf("RESULT ingest destination-never-answers accepted=%d refused=%d window-bytes=%d "
                            + "(bound %d) backlog-on-disk=%d events, %d bytes; heap-peak=%d MiB of %d MiB%n",
                    load.ok(), load.other(), route.bufferedBytes(), 16L << 20, route.backlog().events(),
                    route.backlog().bytes(), heapPeakBytes() >> 20, Runtime.getRuntime().maxMemory() >> 20);
        }
        System.out.printf("RESULT ingest heap-peak=%d MiB of %d MiB, no OutOfMemoryError%n",
                heapPeakBytes() >> 20, Runtime.getRuntime().maxMemory() >> 20);
    }

    /** The target's baseline: reading the body the way Undertow's documentation shows. */
    static Baseline helloWorld() {
        AtomicLong bodyBytes = new AtomicLong();
        return started(bodyBytes, exchange -> exchange.getRequestReceiver().receiveFullBytes((ex, bytes) -> {
            bodyBytes.addAndGet(bytes.length);
            success(ex);
        }));
    }

    /** What HTTP alone costs: the body read in bulk on a worker thread. */
    static Baseline transportFloor() {
        AtomicLong bodyBytes = new AtomicLong();
        return started(bodyBytes, new BlockingHandler(exchange -> {
            bodyBytes.addAndGet(exchange.getInputStream().readAllBytes().length);
            success(exchange);
        }));
    }

    /** What any JSON pipeline costs at least: the body read into a tree, each call written back out. */
    static Baseline jsonFloor() {
        AtomicLong bodyBytes = new AtomicLong();
        return started(bodyBytes, new BlockingHandler(exchange -> {
            byte[] body = exchange.getInputStream().readAllBytes();
            bodyBytes.addAndGet(body.length);
            for (JsonNode call : SpecJson.MAPPER.readTree(body).get("batch")) {
                SpecJson.MAPPER.writeValueAsBytes(call);
            }
            success(exchange);
        }));
    }

    private static Baseline started(AtomicLong bodyBytes, HttpHandler handler) {
        Undertow undertow = Undertow.builder().addHttpListener(0, "127.0.0.1").setHandler(handler).build();
        undertow.start();
        return new Baseline(undertow, bodyBytes);
    }

    private static void success(HttpServerExchange exchange) {
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseSender().send("{\"success\":true}");
    }

    static SluiceServer sluice(Path spool, String fsync, String mode, String instance, long maxBufferedBytes) throws Exception {
        String yaml = """
                server: {host: 127.0.0.1, port: 0, shutdownTimeoutMs: 2000}
                deadLetter: {path: '%s'}
                spool: %s
                delivery: {maxBufferedBytes: %d}
                sources:
                  - name: web
                    writeKey: %s
                    destinations:
                      - type: memory
                        settings: {instance: %s, mode: %s}
                """.formatted(spool.resolveSibling(instance + "-dead.ndjson"),
                fsync.equals("off") ? "{enabled: false}" : "{path: '" + spool + "', fsync: " + fsync + "}",
                maxBufferedBytes, KEY, instance, mode);
        SluiceConfig config = new ConfigLoader(PluginRegistry.builtIn()).read(yaml, "benchmark");
        return SluiceServer.start(config, PluginRegistry.builtIn(), Clock.systemUTC());
    }

    static Path wrkScript(Path dir, Path body) throws IOException {
        String auth = Base64.getEncoder().encodeToString((KEY + ":").getBytes(StandardCharsets.UTF_8));
        return Files.writeString(dir.resolve("post.lua"), """
                wrk.method = "POST"
                wrk.path = "/v1/batch"
                wrk.headers["Content-Type"] = "application/json"
                wrk.headers["Authorization"] = "Basic %s"
                local f = io.open("%s", "rb")
                wrk.body = f:read("*all")
                f:close()
                """.formatted(auth, body));
    }

    static Load wrk(Path script, String url, int threads, int connections, int seconds) throws IOException, InterruptedException {
        Process wrk = new ProcessBuilder("wrk", "-t" + threads, "-c" + connections, "-d" + seconds + "s",
                "--timeout", "10s", "-s", script.toString(), url).redirectErrorStream(true).start();
        String out = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!wrk.waitFor(seconds + 60L, TimeUnit.SECONDS) || wrk.exitValue() != 0) {
            throw new IllegalStateException("wrk failed:\n" + out);
        }
        Matcher requests = REQUESTS.matcher(out);
        if (!requests.find()) {
            throw new IllegalStateException("no request count in wrk's output:\n" + out);
        }
        Matcher non2xx = NON_2XX.matcher(out);
        long other = non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0;
        long total = Long.parseLong(requests.group(1));
        return new Load(total - other, other, seconds);
    }

    /**
     * The most the heap has held at once, sampled every 20 ms from the start. (The pools' own peaks
     * are each reached at a different time, so their sum overstates it, even beyond {@code -Xmx}.)
     */
    static long heapPeakBytes() {
        return HEAP_PEAK.get();
    }

    private static final AtomicLong HEAP_PEAK = new AtomicLong();

    static {
        Thread sampler = new Thread(() -> {
            while (true) {
                HEAP_PEAK.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "heap-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    private IngestBenchmark() {}
}
