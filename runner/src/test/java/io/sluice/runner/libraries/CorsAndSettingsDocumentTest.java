package io.sluice.runner.libraries;

import static io.sluice.runner.testing.TestSluice.basic;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.runner.testing.MemoryDestinationProvider;
import io.sluice.runner.testing.MemoryDestinationProvider.MemoryDestination;
import io.sluice.runner.testing.TestSluice;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CORS as a browser needs it (a preflight without a write key answered for every source's origins,
 * each call held to its own source's {@code allowedOrigins}) and the settings document that
 * analytics.js and the mobile libraries fetch at start.
 */
class CorsAndSettingsDocumentTest {

    static final String SHOP_KEY = "shop-key-1234";
    static final String SERVER_KEY = "server-key-5678";
    static final String OPEN_KEY = "open-key-9012";
    static final String SHOP = "https://shop.example";
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir
    static Path dir;
    /** A shop source for one origin, a server source for none. */
    static TestSluice strict;
    /** One source with the default, any origin. */
    static TestSluice open;
    static MemoryDestination strictMemory;

    @BeforeAll
    static void start() throws Exception {
        strict = TestSluice.start(dir.resolve("strict"), """
                sources:
                  - name: shop
                    writeKey: %s
                    allowedOrigins: ["https://SHOP.example:443/"]
                    destinations: [{type: memory, settings: {instance: cors-strict}}]
                  - name: backend
                    writeKey: %s
                    allowedOrigins: []
                    destinations: [{type: memory, name: backend-memory, settings: {instance: cors-backend}}]
                """.formatted(SHOP_KEY, SERVER_KEY));
        strictMemory = MemoryDestinationProvider.instance("cors-strict");
        open = TestSluice.start(dir.resolve("open"), TestSluice.memorySource(OPEN_KEY, "cors-open", ""));
    }

    @AfterAll
    static void stop() {
        strict.close();
        open.close();
    }

    static HttpResponse<String> options(TestSluice sluice, String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(sluice.uri(path)).method("OPTIONS", HttpRequest.BodyPublishers.noBody());
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(TestSluice sluice, String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(sluice.uri(path)).GET();
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static Map<String, String> with(Map<String, String> a, String name, String value) {
        Map<String, String> all = new HashMap<>(a);
        all.put(name, value);
        return all;
    }

    static String track(String messageId) {
        return "{\"userId\":\"u\",\"event\":\"E\",\"messageId\":\"" + messageId + "\"}";
    }

    @Test
    void aPreflightFromAnyOriginIsAllowedByDefault() throws Exception {
        HttpResponse<String> response = options(open, "/v1/t", Map.of("Origin", "http://localhost:3000",
                "Access-Control-Request-Method", "POST",
                "Access-Control-Request-Headers", "authorization,content-type,x-retry-count"));

        assertThat(response.statusCode()).isEqualTo(204);
        assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).contains("http://localhost:3000");
        assertThat(response.headers().firstValue("Access-Control-Allow-Credentials")).contains("true");
        assertThat(response.headers().firstValue("Access-Control-Allow-Methods")).contains("POST, GET, OPTIONS");
        assertThat(response.headers().firstValue("Access-Control-Allow-Headers"))
                .contains("authorization,content-type,x-retry-count");
        assertThat(response.headers().firstValue("Access-Control-Max-Age")).contains("7200");
        assertThat(response.headers().allValues("Vary")).anySatisfy(v -> assertThat(v).contains("Origin"));
    }

    @Test
    void aPreflightThatNamesNoHeadersGetsTheOnesSegmentsLibrariesSend() throws Exception {
        for (String path : new String[] {"/v1/b", "/v1/batch/", "/v1/import/", "/v1/m", "/v1/projects/x/settings"}) {
            HttpResponse<String> response = options(open, path, Map.of("Origin", "https://a.example",
                    "Access-Control-Request-Method", "POST"));

            assertThat(response.statusCode()).as(path).isEqualTo(204);
            assertThat(response.headers().firstValue("Access-Control-Allow-Headers"))
                    .contains("Content-Type, Authorization, X-Retry-Count");
        }
    }

    @Test
    void aPrivateNetworkPreflightIsAllowed() throws Exception {
        HttpResponse<String> response = options(open, "/v1/t", Map.of("Origin", "https://public.example",
                "Access-Control-Request-Method", "POST", "Access-Control-Request-Private-Network", "true"));

        assertThat(response.headers().firstValue("Access-Control-Allow-Private-Network")).contains("true");
    }

    @Test
    void everyAnswerToABrowserCarriesTheReflectedOriginEvenAnError() throws Exception {
        Map<String, String> origin = Map.of("Origin", "https://any.example");
        HttpResponse<String> ok = open.post("/v1/track", track(UUID.randomUUID().toString()), with(basic(OPEN_KEY), "Origin", "https://any.example"));
        HttpResponse<String> unauthorized = open.post("/v1/track", track("x"), with(basic("wrong-key"), "Origin", "https://any.example"));
        HttpResponse<String> metrics = open.post("/v1/m", "{}", origin);

        for (HttpResponse<String> response : new HttpResponse[] {ok, unauthorized, metrics}) {
            assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).as(response.uri().toString())
                    .contains("https://any.example");
            assertThat(response.headers().firstValue("Access-Control-Expose-Headers")).contains("Retry-After");
            assertThat(response.headers().allValues("Vary")).contains("Origin");
        }
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(unauthorized.statusCode()).isEqualTo(401);
    }

    @Test
    void withoutAnOriginThereAreNoCorsHeaders() throws Exception {
        HttpResponse<String> response = open.post("/v1/track", track(UUID.randomUUID().toString()), basic(OPEN_KEY));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    @Test
    void thePreflightAnswersForTheUnionOfTheSourcesOrigins() throws Exception {
        Map<String, String> preflight = Map.of("Access-Control-Request-Method", "POST");

        HttpResponse<String> shop = options(strict, "/v1/t", with(preflight, "Origin", SHOP));
        HttpResponse<String> other = options(strict, "/v1/t", with(preflight, "Origin", "https://evil.example"));

        assertThat(shop.statusCode()).isEqualTo(204);
        assertThat(shop.headers().firstValue("Access-Control-Allow-Origin")).contains(SHOP);
        assertThat(other.statusCode()).isEqualTo(403);
        assertThat(other.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    @Test
    void aCallIsHeldToItsOwnSourcesOrigins() throws Exception {
        String fromShop = UUID.randomUUID().toString();
        String fromElsewhere = UUID.randomUUID().toString();
        String fromAServer = UUID.randomUUID().toString();

        HttpResponse<String> allowed = strict.post("/v1/t", track(fromShop), with(basic(SHOP_KEY), "Origin", SHOP));
        HttpResponse<String> otherOrigin = strict.post("/v1/t", track(fromElsewhere),
                with(basic(SHOP_KEY), "Origin", "https://evil.example"));
        HttpResponse<String> bodyKey = strict.post("/v1/b", "{\"writeKey\":\"" + SHOP_KEY + "\",\"batch\":[" + track(fromElsewhere)
                .replace("{", "{\"type\":\"track\",") + "]}", Map.of("Origin", "https://evil.example", "Content-Type", "text/plain"));
        HttpResponse<String> backendFromBrowser = strict.post("/v1/t", track(fromElsewhere),
                with(basic(SERVER_KEY), "Origin", SHOP));
        HttpResponse<String> noOrigin = strict.post("/v1/t", track(fromAServer), basic(SHOP_KEY));

        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).contains(SHOP);
        for (HttpResponse<String> refused : new HttpResponse[] {otherOrigin, bodyKey, backendFromBrowser}) {
            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(JSON.readTree((String) refused.body()).path("code").asText()).isEqualTo("origin_not_allowed");
            assertThat(refused.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        }
        assertThat(noOrigin.statusCode()).isEqualTo(200);
        TestSluice.await("the allowed calls", () -> strictMemory.delivered().stream()
                .filter(e -> e.messageId().equals(fromShop) || e.messageId().equals(fromAServer)).count() == 2);
        assertThat(strictMemory.delivered()).noneMatch(e -> e.messageId().equals(fromElsewhere));
    }

    @Test
    void theSettingsDocumentPointsTheLibrariesBackAtSluice() throws Exception {
        HttpResponse<String> response = get(open, "/v1/projects/" + OPEN_KEY + "/settings", Map.of());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
        assertThat(response.headers().firstValue("Cache-Control")).contains("no-store");
        String hostAndPort = open.server().baseUrl().substring("http://".length());
        assertThat(JSON.readTree(response.body())).isEqualTo(JSON.readTree("""
                {"integrations":{"Segment.io":{"apiKey":"%s","apiHost":"%s/v1","protocol":"http"}},
                 "plan":{"track":{"__default":{"enabled":true}}},"edgeFunction":{},"analyticsNextEnabled":true,
                 "middlewareSettings":{},"enabledMiddleware":{},"metrics":{"sampleRate":0},"remotePlugins":[]}
                """.formatted(OPEN_KEY, hostAndPort)));
        assertThat(get(open, "/v1/projects/" + OPEN_KEY + "/settings/", Map.of()).statusCode()).isEqualTo(200);
    }

    @Test
    void anUnknownKeyHasNoSettings() throws Exception {
        String unknown = "no-such-key-31337";
        HttpResponse<String> response = get(open, "/v1/projects/" + unknown + "/settings", Map.of());

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).doesNotContain(unknown).doesNotContain(OPEN_KEY);
        assertThat(open.post("/v1/projects/" + OPEN_KEY + "/settings", "{}", Map.of()).statusCode()).isEqualTo(405);
    }

    @Test
    void theSettingsDocumentAnswersABrowserForItsSourcesOriginsOnly() throws Exception {
        HttpResponse<String> shop = get(strict, "/v1/projects/" + SHOP_KEY + "/settings", Map.of("Origin", SHOP));
        HttpResponse<String> backend = get(strict, "/v1/projects/" + SERVER_KEY + "/settings", Map.of("Origin", SHOP));

        assertThat(shop.statusCode()).isEqualTo(200);
        assertThat(shop.headers().firstValue("Access-Control-Allow-Origin")).contains(SHOP);
        assertThat(backend.statusCode()).isEqualTo(403);
        assertThat(backend.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    @Test
    void apiHostFollowsTheHostHeaderWithoutAPublicUrl() throws Exception {
        String answer = rawGet(open, "/v1/projects/" + OPEN_KEY + "/settings", "sluice.internal:9000");

        assertThat(answer).startsWith("HTTP/1.1 200");
        JsonNode segment = JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4)).path("integrations").path("Segment.io");
        assertThat(segment.path("apiHost").asText()).isEqualTo("sluice.internal:9000/v1");
        assertThat(segment.path("protocol").asText()).isEqualTo("http");
    }

    @Test
    void apiHostComesFromPublicUrlWhenSet() throws Exception {
        try (TestSluice proxied = TestSluice.start(dir.resolve("proxied"),
                "server: {host: 127.0.0.1, port: 0, publicUrl: 'https://events.example.com/sluice/'}\n"
                        + TestSluice.memorySource("proxied-key", "cors-proxied", ""))) {
            HttpResponse<String> response = get(proxied, "/v1/projects/proxied-key/settings", Map.of());

            JsonNode segment = JSON.readTree(response.body()).path("integrations").path("Segment.io");
            assertThat(segment.path("apiHost").asText()).isEqualTo("events.example.com/sluice/v1");
            assertThat(segment.path("protocol").asText()).isEqualTo("https");
        }
    }

    /** A GET with a Host header of our choosing, which the JDK's HttpClient does not allow. */
    static String rawGet(TestSluice sluice, String path, String host) throws Exception {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), sluice.uri("/").getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
