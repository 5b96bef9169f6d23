package io.sluice.runner.libraries;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.sluice.runner.testing.Chromium;
import io.sluice.runner.testing.LocalKinesis;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code @segment/analytics-next} 1.84.3 from npm, in Debian's headless Chromium driven by
 * playwright-core ({@code executablePath: '/usr/bin/chromium'}), on a page served
 * from another origin than Sluice's (another port), so every call is a real cross-origin request
 * with a preflight. The page is given nothing but the write key and {@code cdnURL}: the settings
 * document from Sluice points the library's uploads back at Sluice.
 */
class AnalyticsNextBrowserTest {

    /*
     * The page wraps fetch to note each request's URL and status, or the error when the browser
     * would not let the page read the answer (a CORS failure is a TypeError here, and analytics.js
     * would quietly retry it later).
     */
    private static final String PAGE = """
            <!doctype html>
            <html><head><meta charset="utf-8"><title>sluice analytics.js test</title>
            <script>
              window.requests = [];
              const realFetch = window.fetch.bind(window);
              window.fetch = function (url, init) {
                const entry = { url: String(url), method: (init && init.method) || 'get' };
                window.requests.push(entry);
                return realFetch(url, init).then(
                  (response) => { entry.status = response.status; return response; },
                  (error) => { entry.error = String(error); throw error; });
              };
            </script>
            <script src="/analytics-next.js"></script>
            </head><body>
            <script>
              window.sendSix = function (writeKey, cdnURL, run, options) {
                const analytics = AnalyticsNext.AnalyticsBrowser.load({ writeKey, cdnURL }, options);
                const user = run + '-user';
                // A failed settings fetch or a blocked call never settles; answer with what was tried instead.
                const giveUp = new Promise((resolve) => setTimeout(
                  () => resolve({ error: 'no answer within 15 s', requests: window.requests }), 15000));
                // alias first: once a user is identified, analytics.js sets every later call's userId to it.
                const sent = Promise.all([
                  analytics.alias(run + '-alias', user),
                  analytics.identify(user, { email: run + '@example.com' }),
                  analytics.track('Order Completed', { orderId: run + '-order', revenue: 42 }),
                  analytics.page('Pricing', { path: '/pricing' }),
                  analytics.screen('Settings', { tab: 'billing' }),
                  analytics.group(run + '-group', { name: 'Initech' }),
                ]).then((contexts) => ({
                  failed: contexts.filter((c) => c.failedDelivery()).map((c) => c.event.type + ': ' + c.failedDelivery().reason),
                  requests: window.requests,
                }));
                return Promise.race([sent, giveUp]);
              };
            </script>
            </body></html>
            """;

    /** Opens the page in a fresh browser context (no cookies, no storage), runs sendSix, prints its result. */
    private static final String DRIVER = """
            const { chromium } = require('playwright-core');
            const [executablePath, flags, url, writeKey, cdnURL, run, options] = process.argv.slice(2);
            (async () => {
              const browser = await chromium.launch({ executablePath, args: JSON.parse(flags), headless: true });
              try {
                const page = await (await browser.newContext()).newPage();
                await page.goto(url);
                const result = await page.evaluate(([k, c, r, o]) => window.sendSix(k, c, r, JSON.parse(o))
                    .catch((e) => ({ error: String(e), requests: window.requests })), [writeKey, cdnURL, run, options]);
                console.log(JSON.stringify(result));
              } finally {
                await browser.close();
              }
            })().catch((e) => { console.error(String(e && e.stack || e)); process.exit(1); });
            """;

    @RegisterExtension
    static final LocalKinesis kinesis = new LocalKinesis();
    static Path driver;

    @TempDir
    Path dir;

    @BeforeAll
    static void installChromiumAndWriteDriver() throws Exception {
        Chromium.installed();
        driver = Files.writeString(SegmentNpmPackages.home().resolve("drive-analytics-next.js"), DRIVER);
    }

    @Test
    void standardDeliveryPostsEachCallToItsLetterAcrossOrigins() throws Exception {
        try (PageServer page = PageServer.start()) {
            // The source allows exactly the page's origin: the preflight and every answer must reflect it.
            try (LibraryTestbed bed = new LibraryTestbed(kinesis.server(), dir, "    allowedOrigins: ['" + page.origin() + "']\n")) {
                Map<String, Object> result = sendSix(page, bed, "{}");

                assertAnswersWereReadable(result, bed);
                assertThat(posts(result)).containsExactlyInAnyOrder(
                        bed.baseUrl() + "/v1/i", bed.baseUrl() + "/v1/t", bed.baseUrl() + "/v1/p",
                        bed.baseUrl() + "/v1/s", bed.baseUrl() + "/v1/g", bed.baseUrl() + "/v1/a");
                Map<String, JsonNode> events = bed.awaitCalls(LibraryTestbed.SIX);
                bed.assertSixCalls(events, "analytics.js");
            }
        }
    }

    @Test
    void batchingDeliveryPostsOneBatchToSlashB() throws Exception {
        try (PageServer page = PageServer.start();
             LibraryTestbed bed = new LibraryTestbed(kinesis.server(), dir, "")) {
            Map<String, Object> result = sendSix(page, bed, "{\"integrations\": {\"Segment.io\": {\"deliveryStrategy\":"
                    + " {\"strategy\": \"batching\", \"config\": {\"size\": 6, \"timeout\": 1000}}}}}");

            assertAnswersWereReadable(result, bed);
            assertThat(posts(result)).containsExactly(bed.baseUrl() + "/v1/b");
            Map<String, JsonNode> events = bed.awaitCalls(LibraryTestbed.SIX);
            bed.assertSixCalls(events, "analytics.js");
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> sendSix(PageServer page, LibraryTestbed bed, String options) throws Exception {
        Process node = new ProcessBuilder("node", driver.toString(), Chromium.installed().toString(),
                LibraryTestbed.JSON.writeValueAsString(Chromium.FLAGS), page.origin() + "/",
                bed.writeKey, bed.baseUrl(), bed.run, options)
                .directory(driver.getParent().toFile())
                .redirectErrorStream(true)
                .start();
        String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(node.waitFor(2, TimeUnit.MINUTES)).as("playwright finished").isTrue();
        assertThat(node.exitValue()).as(out).isZero();
        Map<String, Object> map = LibraryTestbed.JSON.readValue(out.lines().reduce((a, b) -> b).orElse("{}"), Map.class);
        assertThat(map.get("error")).as("the page's calls failed: %s", map).isNull();
        return map;
    }

    /** Every request the page made to Sluice got an answer the page could read: 200, no CORS error. */
    @SuppressWarnings("unchecked")
    private static void assertAnswersWereReadable(Map<String, Object> result, LibraryTestbed bed) {
        assertThat((List<Object>) result.get("failed")).isEmpty();
        List<Map<String, Object>> requests = (List<Map<String, Object>>) result.get("requests");
        assertThat(requests).as("requests to anywhere but Sluice: %s", requests)
                .allSatisfy(r -> assertThat((String) r.get("url")).startsWith(bed.baseUrl() + "/v1/"));
        assertThat(requests).as("requests: %s", requests).allSatisfy(r -> {
            assertThat(r.get("error")).isNull();
            assertThat(((Number) r.get("status")).intValue()).isEqualTo(200);
        });
        assertThat(requests).extracting(r -> r.get("url"))
                .contains(bed.baseUrl() + "/v1/projects/" + bed.writeKey + "/settings");
    }

    @SuppressWarnings("unchecked")
    private static List<String> posts(Map<String, Object> result) {
        return ((List<Map<String, Object>>) result.get("requests")).stream()
                .filter(r -> "post".equalsIgnoreCase((String) r.get("method")))
                .map(r -> (String) r.get("url"))
                .toList();
    }

    /** The test page and analytics.js, on 127.0.0.1 at a port of their own. */
    record PageServer(HttpServer server) implements AutoCloseable {

        static PageServer start() throws IOException {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            byte[] bundle = Files.readAllBytes(SegmentNpmPackages.analyticsNextBundle());
            server.createContext("/", exchange -> {
                String path = exchange.getRequestURI().getPath();
                if (path.equals("/")) {
                    reply(exchange, 200, "text/html; charset=utf-8", PAGE.getBytes(StandardCharsets.UTF_8));
                } else if (path.equals("/analytics-next.js")) {
                    reply(exchange, 200, "text/javascript", bundle);
                } else {
                    reply(exchange, 404, "text/plain", new byte[0]);
                }
            });
            server.start();
            return new PageServer(server);
        }

        String origin() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        private static void reply(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
            exchange.getResponseHeaders().set("Content-Type", type);
            exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
