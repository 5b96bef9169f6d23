package io.sluice.runner.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Talks to a test server's admin API: as a script (bearer token) or as a logged-in browser
 * (session cookie and CSRF token). Keeps every answer body it received, so a test can check that no
 * secret ever appeared in one.
 */
public final class AdminClient {

    public static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    private final String base;
    private final String token;
    private final List<String> bodies = Collections.synchronizedList(new ArrayList<>());

    public AdminClient(String base, String token) {
        this.base = base;
        this.token = token;
    }

    /** A logged-in browser's credentials. */
    public record Session(String cookie, String csrf) {}

    /** An {@code admin:} section on a free port, with a state file and a key file in {@code dir}. */
    public static String adminYaml(Path dir, String token, String extra) throws IOException {
        return "admin: {port: 0, token: '" + token + "', stateFile: '" + dir.resolve("admin-state.json")
                + "', keyFile: '" + keyFile(dir.resolve("secret.key")) + "'" + extra + "}\n";
    }

    /** Writes a fresh random key file; returns its path. */
    public static Path keyFile(Path file) throws IOException {
        if (!Files.exists(file)) {
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            Files.writeString(file, Base64.getEncoder().encodeToString(key) + "\n");
        }
        return file;
    }

    public static String enc(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    public static String destination(String source, String name) {
        return "/api/sources/" + enc(source) + "/destinations/" + enc(name);
    }

    public String base() {
        return base;
    }

    /** Every answer body received so far. */
    public List<String> bodies() {
        synchronized (bodies) {
            return List.copyOf(bodies);
        }
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send("GET", path, null, Map.of("Authorization", "Bearer " + token));
    }

    public JsonNode getJson(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = get(path);
        if (response.statusCode() != 200) {
            throw new AssertionError("GET " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    /** As a script: {@code Authorization: Bearer}. */
    public HttpResponse<String> bearer(String method, String path, String body) throws IOException, InterruptedException {
        return send(method, path, body, Map.of("Authorization", "Bearer " + token));
    }

    /** As the dashboard in a browser: the session cookie, the CSRF token, and same-origin headers. */
    public HttpResponse<String> browser(Session session, String method, String path, String body)
            throws IOException, InterruptedException {
        return send(method, path, body, Map.of("Cookie", session.cookie(), "X-CSRF-Token", session.csrf(),
                "Origin", base, "Sec-Fetch-Site", "same-origin"));
    }

    public HttpResponse<String> send(String method, String path, String body, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(TestSluice.WAIT)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null && !headers.containsKey("Content-Type")) {
            request.header("Content-Type", "application/json");
        }
        headers.forEach(request::header);
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        bodies.add(response.body());
        return response;
    }

    /** Logs in with {@code candidate} as the login form does; the answer (303 to / or back to the form). */
    public HttpResponse<String> postLogin(String candidate, Map<String, String> headers) throws IOException, InterruptedException {
        Map<String, String> all = new java.util.HashMap<>(Map.of("Content-Type", "application/x-www-form-urlencoded"));
        all.putAll(headers);
        return send("POST", "/login", "token=" + URLEncoder.encode(candidate, StandardCharsets.UTF_8), all);
    }

    /** Logs in with the admin token and reads the session's CSRF token. */
    public Session login() throws IOException, InterruptedException {
        HttpResponse<String> response = postLogin(token, Map.of("Origin", base, "Sec-Fetch-Site", "same-origin"));
        if (response.statusCode() != 303) {
            throw new AssertionError("login answered " + response.statusCode());
        }
        String cookie = response.headers().allValues("Set-Cookie").stream()
                .filter(c -> c.startsWith("sluice_admin=")).findFirst()
                .orElseThrow(() -> new AssertionError("no session cookie"));
        String pair = cookie.substring(0, cookie.indexOf(';'));
        HttpResponse<String> session = send("GET", "/api/session", null, Map.of("Cookie", pair));
        return new Session(pair, JSON.readTree(session.body()).get("csrfToken").asText());
    }
}
