package io.sluice.runner.admin;

import static io.sluice.runner.testing.AdminClient.destination;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.runner.testing.AdminClient;
import io.sluice.runner.testing.EventStream;
import io.sluice.runner.testing.TestSluice;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who may open the dashboard and its API: the admin token only; never a write key; no CSRF. */
class AdminAccessTest {

    static final String TOKEN = "admin-token-for-access-tests";
    static final String WRITE_KEY = "wk-access-tests";
    static final String NAME = "web/memory";

    @TempDir
    static Path dir;
    static TestSluice sluice;
    static AdminClient admin;

    @BeforeAll
    static void start() throws Exception {
        sluice = TestSluice.start(dir, AdminClient.adminYaml(dir, TOKEN, "")
                + TestSluice.memorySource(WRITE_KEY, "access-1", ""));
        admin = new AdminClient(sluice.server().adminBaseUrl().orElseThrow(), TOKEN);
    }

    @AfterAll
    static void stop() {
        sluice.close();
    }

    static String basic(String user) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":").getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void withoutACredentialTheApiAnswers401() throws Exception {
        HttpResponse<String> response = admin.send("GET", "/api/sources", null, Map.of());

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.body()).contains("\"code\":\"unauthorized\"");
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"sluice-admin\"");
        assertThat(admin.send("GET", "/", null, Map.of()).headers().firstValue("Location")).hasValue("/login");
    }

    @Test
    void aWriteKeyOpensNothing() throws Exception {
        assertThat(admin.send("GET", "/api/sources", null, Map.of("Authorization", basic(WRITE_KEY))).statusCode())
                .isEqualTo(401);
        assertThat(admin.send("GET", "/api/sources", null, Map.of("Authorization", "Bearer " + WRITE_KEY)).statusCode())
                .isEqualTo(401);
        assertThat(admin.send("POST", destination("web", NAME) + "/disable", null,
                Map.of("Authorization", "Bearer " + WRITE_KEY)).statusCode()).isEqualTo(401);
        assertThat(admin.send("GET", "/api/sources", null, Map.of("Cookie", "sluice_admin=" + WRITE_KEY)).statusCode())
                .isEqualTo(401);
        HttpResponse<String> page = admin.send("GET", "/", null, Map.of("Authorization", basic(WRITE_KEY)));
        assertThat(page.statusCode()).isEqualTo(303);
        assertThat(page.headers().firstValue("Location")).hasValue("/login");

        HttpResponse<String> login = admin.postLogin(WRITE_KEY, Map.of("Origin", admin.base()));

        assertThat(login.statusCode()).isEqualTo(303);
        assertThat(login.headers().firstValue("Location")).hasValue("/login?error=invalid");
        assertThat(login.headers().allValues("Set-Cookie")).isEmpty();
        assertThat(admin.get("/api/sources").body()).doesNotContain(WRITE_KEY);
    }

    @Test
    void aScriptWithTheBearerTokenNeedsNoCsrfToken() throws Exception {
        assertThat(admin.get("/api/sources").statusCode()).isEqualTo(200);

        HttpResponse<String> off = admin.bearer("POST", destination("web", NAME) + "/disable", null);
        HttpResponse<String> on = admin.bearer("POST", destination("web", NAME) + "/enable", null);

        assertThat(off.statusCode()).as(off.body()).isEqualTo(200);
        assertThat(AdminClient.JSON.readTree(off.body()).get("enabled").asBoolean()).isFalse();
        assertThat(on.statusCode()).isEqualTo(200);
        assertThat(AdminClient.JSON.readTree(on.body()).get("enabled").asBoolean()).isTrue();
    }

    @Test
    void aSessionChangesNothingWithoutItsCsrfToken() throws Exception {
        AdminClient.Session session = admin.login();
        String disable = destination("web", NAME) + "/disable";
        Map<String, String> sameOrigin = Map.of("Cookie", session.cookie(), "Origin", admin.base(),
                "Sec-Fetch-Site", "same-origin");

        HttpResponse<String> missing = admin.send("POST", disable, null, sameOrigin);
        HttpResponse<String> wrong = admin.send("POST", disable, null, with(sameOrigin, "X-CSRF-Token", "not-the-token"));
        HttpResponse<String> otherSession = admin.send("POST", disable, null,
                with(sameOrigin, "X-CSRF-Token", admin.login().csrf()));

        assertThat(missing.statusCode()).isEqualTo(403);
        assertThat(missing.body()).contains("\"code\":\"csrf\"");
        assertThat(wrong.statusCode()).isEqualTo(403);
        assertThat(otherSession.statusCode()).isEqualTo(403);
        assertThat(admin.getJson(destination("web", NAME)).get("enabled").asBoolean()).isTrue();
        assertThat(admin.send("GET", "/api/sources", null, sameOrigin).statusCode()).isEqualTo(200);

        HttpResponse<String> right = admin.browser(session, "POST", disable, null);
        assertThat(right.statusCode()).isEqualTo(200);
        assertThat(admin.browser(session, "POST", destination("web", NAME) + "/enable", null).statusCode()).isEqualTo(200);
    }

    @Test
    void aCrossOriginRequestIsRefusedEvenWithTheCsrfToken() throws Exception {
        AdminClient.Session session = admin.login();
        String disable = destination("web", NAME) + "/disable";

        HttpResponse<String> evilOrigin = admin.send("POST", disable, null, Map.of("Cookie", session.cookie(),
                "X-CSRF-Token", session.csrf(), "Origin", "http://evil.example"));
        HttpResponse<String> crossSite = admin.send("POST", disable, null, Map.of("Cookie", session.cookie(),
                "X-CSRF-Token", session.csrf(), "Sec-Fetch-Site", "cross-site"));
        HttpResponse<String> loginFromElsewhere = admin.postLogin(TOKEN, Map.of("Origin", "http://evil.example"));

        assertThat(evilOrigin.statusCode()).isEqualTo(403);
        assertThat(evilOrigin.body()).contains("\"code\":\"cross_origin\"");
        assertThat(crossSite.statusCode()).isEqualTo(403);
        assertThat(loginFromElsewhere.statusCode()).isEqualTo(403);
        assertThat(loginFromElsewhere.headers().allValues("Set-Cookie")).isEmpty();
        assertThat(admin.getJson(destination("web", NAME)).get("enabled").asBoolean()).isTrue();
    }

    @Test
    void theSessionCookieIsHttpOnlyAndSameSiteStrictAndLogoutEndsIt() throws Exception {
        HttpResponse<String> login = admin.postLogin(TOKEN, Map.of("Origin", admin.base(), "Sec-Fetch-Site", "same-origin"));
        String cookie = login.headers().allValues("Set-Cookie").get(0);

        assertThat(login.headers().firstValue("Location")).hasValue("/");
        assertThat(cookie).contains("HttpOnly").containsIgnoringCase("SameSite=Strict").contains("Max-Age=").contains("Path=/");
        String pair = cookie.substring(0, cookie.indexOf(';'));
        assertThat(pair.length()).isGreaterThan("sluice_admin=".length() + 40);
        AdminClient.Session session = new AdminClient.Session(pair,
                AdminClient.JSON.readTree(admin.send("GET", "/api/session", null, Map.of("Cookie", pair)).body())
                        .get("csrfToken").asText());
        assertThat(admin.send("GET", "/", null, Map.of("Cookie", pair)).statusCode()).isEqualTo(200);

        HttpResponse<String> logout = admin.send("POST", "/logout", null, Map.of("Cookie", pair,
                "X-CSRF-Token", session.csrf(), "Origin", admin.base()));

        assertThat(logout.statusCode()).isEqualTo(204);
        assertThat(admin.send("GET", "/api/sources", null, Map.of("Cookie", pair)).statusCode()).isEqualTo(401);
    }

    @Test
    void aDebuggerStreamEndsWithItsSession() throws Exception {
        AdminClient.Session session = admin.login();
        Map<String, String> browser = Map.of("Cookie", session.cookie(), "Origin", admin.base());
        try (EventStream feed = EventStream.open(admin.base(), browser)) {
            assertThat(feed.response().statusCode()).isEqualTo(200);
            track("before-logout");
            feed.await("the call made while logged in", e -> e.path("messageId").asText().equals("before-logout"));

            assertThat(admin.send("POST", "/logout", null, Map.of("Cookie", session.cookie(),
                    "X-CSRF-Token", session.csrf(), "Origin", admin.base())).statusCode()).isEqualTo(204);
            track("after-logout");

            assertThat(feed.awaitEnd()).as("the stream ends once its session is gone").isTrue();
            assertThat(feed.lines()).noneMatch(line -> line.contains("after-logout"));
        }
    }

    private static void track(String messageId) throws Exception {
        assertThat(sluice.post("/v1/track", "{\"userId\":\"u\",\"event\":\"E\",\"messageId\":\"" + messageId + "\"}",
                Map.of("Authorization", basic(WRITE_KEY))).statusCode()).isEqualTo(200);
    }

    @Test
    void everyAnswerForbidsFramingAndInlineScript() throws Exception {
        for (String path : new String[] {"/login", "/api/sources", "/app.js", "/nope"}) {
            HttpResponse<String> response = admin.send("GET", path, null, Map.of());
            assertThat(response.headers().firstValue("Content-Security-Policy")).get().asString()
                    .startsWith("default-src 'self'").contains("frame-ancestors 'none'").doesNotContain("unsafe-inline");
            assertThat(response.headers().firstValue("X-Frame-Options")).hasValue("DENY");
            assertThat(response.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        }
        for (String page : new String[] {"index.html", "login.html"}) {
            String html = resource(page);
            assertThat(html).doesNotContainPattern("<script(?![^>]*\\ssrc=)").doesNotContainPattern("\\son[a-z]+=")
                    .doesNotContain("http://").doesNotContain("https://");
        }
        assertThat(resource("app.js") + resource("settings-form.js")).doesNotContain("innerHTML").doesNotContain("eval(");
    }

    @Test
    void theDashboardListensOnTheConfiguredLoopbackAddressByDefault() {
        URI uri = URI.create(admin.base());

        assertThat(uri.getHost()).isEqualTo("127.0.0.1");
        assertThat(uri.getPort()).isNotEqualTo(sluice.server().port());
    }

    private static String resource(String name) throws Exception {
        try (var in = io.sluice.runner.dashboard.DashboardPages.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static Map<String, String> with(Map<String, String> headers, String key, String value) {
        Map<String, String> all = new java.util.HashMap<>(headers);
        all.put(key, value);
        return all;
    }
}
