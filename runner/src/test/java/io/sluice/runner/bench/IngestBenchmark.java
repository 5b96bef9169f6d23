package io.sluice.runner.bench;

import io.sluice.core.bench.BenchPayloads;
import io.sluice.runner.config.ConfigLoader;
import io.sluice.runner.config.SluiceConfig;
import io.sluice.runner.plugins.PluginRegistry;
import io.sluice.runner.server.SluiceServer;
import io.sluice.runner.testing.MemoryDestinationProvider;
import io.undertow.Undertow;
import io.undertow.util.Headers;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryType;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTTP ingest of {@code /v1/batch} requests of 100 events, driven by {@code wrk} on loopback,
 * against its limit: a hello-world endpoint on the same HTTP server library (Undertow) in the same
 * process, which reads the body and answers {@code {"success":true}}. Then the same load against a
 * destination that never answers, to show memory stays bounded: the destination's window holds its
 * bound and the backlog waits on disk while requests are still answered 200.
 * Run it with a 256 MiB heap: {@code bench/run ingest}.
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

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        int connections = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        Path dir = Files.createTempDirectory("sluice-ingest-bench");
        Path body = Files.write(dir.resolve("batch.json"), BenchPayloads.batches(1, EVENTS_PER_REQUEST, 11).get(0));
        Path script = wrkScript(dir, body);
        System.out.printf("batch body: %d bytes, %d events; wrk -t2 -c%d -d%ds; heap max %d MiB%n", Files.size(body),
                EVENTS_PER_REQUEST, connections, seconds, Runtime.getRuntime().maxMemory() >> 20);

        Undertow hello = helloWorld();
        String helloUrl = "http://127.0.0.1:" + ((InetSocketAddress) hello.getListenerInfo().get(0).getAddress()).getPort();
        try {
            wrk(script, helloUrl, 2, connections, 3); // warm-up
            Load baseline = wrk(script, helloUrl, 2, connections, seconds);
            report("hello-world", baseline, baseline);
            // "off" runs without the spool, to show what durability costs.
            for (String fsync : new String[] {"off", "interval", "always"}) {
                try (SluiceServer sluice = sluice(dir.resolve("spool-" + fsync + ".db"), fsync, "discard", "b" + fsync, 256L << 20)) {
                    wrk(script, sluice.baseUrl(), 2, connections, 3);
                    Load load = wrk(script, sluice.baseUrl(), 2, connections, seconds);
                    report(fsync.equals("off") ? "sluice without spool" : "sluice spool fsync=" + fsync, load, baseline);
                    System.out.printf("  delivered to the destination: %d events%n",
                            MemoryDestinationProvider.instance("b" + fsync).discarded());
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
        } finally {
            hello.stop();
        }
        System.out.printf("RESULT ingest heap-peak=%d MiB of %d MiB, no OutOfMemoryError%n",
                heapPeakBytes() >> 20, Runtime.getRuntime().maxMemory() >> 20);
    }

    private static void report(String name, Load load, Load baseline) {
        System.out.printf("RESULT ingest %s: %.0f events/s (%d requests ok, %d not), ratio to hello-world %.2f%n",
                name, load.eventsPerSecond(), load.ok(), load.other(), load.eventsPerSecond() / baseline.eventsPerSecond());
    }

    /** The limit: the same server library, reading the whole body and answering like Sluice. */
    static Undertow helloWorld() {
        Undertow undertow = Undertow.builder()
                .addHttpListener(0, "127.0.0.1")
                .setHandler(exchange -> exchange.getRequestReceiver().receiveFullBytes((ex, bytes) -> {
                    ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
                    ex.getResponseSender().send("{\"success\":true}");
                }))
                .build();
        undertow.start();
        return undertow;
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

    static long heapPeakBytes() {
        return ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP)
                .mapToLong(p -> p.getPeakUsage().getUsed())
                .sum();
    }

    private IngestBenchmark() {}
}
