package io.sluice.runner.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.runner.testing.TestSluice;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPOutputStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Hostile input at the HTTP edge, against a real server on 127.0.0.1: malformed and truncated JSON,
 * invalid UTF-8 and lone surrogates, deep nesting, huge numbers and strings, extreme timestamps,
 * wrong content types and encodings, gzip bombs and broken gzip, garbage credentials. Every answer
 * must be a 200 (for input that happens to be valid) or a 4xx with Segment's error body
 * {@code {"success":false,"code":...}}: never a 5xx, never a hang (each request has a 20 s bound),
 * and the server still answers {@code /health} after each property. Each property prints the
 * inputs it tried.
 */
class HostileInputTest {

    static final String KEY = "hostile-write-key";
    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration REQUEST_BOUND = Duration.ofSeconds(20);
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    static final Map<String, AtomicLong> STATUSES = new ConcurrentHashMap<>();
    static final AtomicLong TRIED = new AtomicLong();
    static volatile String property = "";

    static Path dir;
    static TestSluice sluice;

    @BeforeContainer
    static void start() throws Exception {
        dir = Files.createTempDirectory("sluice-hostile");
        sluice = TestSluice.start(dir, TestSluice.memorySource(KEY, "hostile", ", mode: discard"));
    }

    @AfterContainer
    static void stop() {
        if (sluice != null) {
            sluice.close();
        }
    }

    @AfterProperty
    void stillHealthyAndReport() throws Exception {
        HttpResponse<String> health = sluice.get("/health");
        String answers = new java.util.TreeMap<>(STATUSES).toString().replace(" ", "");
        Figures.of("hostile-" + property).put("inputs", TRIED.get()).put("answers", answers)
                .put("healthAfter", health.statusCode()).print();
        STATUSES.clear();
        TRIED.set(0);
        assertThat(health.statusCode()).as("/health after the property").isEqualTo(200);
    }

    // ---- properties ----

    @Property(tries = 400, shrinking = ShrinkingMode.OFF)
    void malformedAndTruncatedJson(@ForAll("validBodies") String body, @ForAll @IntRange(max = 100_000) int cut,
                                   @ForAll("mutations") List<Mutation> mutations, @ForAll boolean batch) throws Exception {
        property = "malformedAndTruncatedJson";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        for (Mutation m : mutations) {
            bytes = m.apply(bytes);
        }
        if (cut % 3 == 0 && bytes.length > 0) {
            bytes = java.util.Arrays.copyOf(bytes, cut % bytes.length); // truncated
        }
        expectClearAnswer(batch ? "/v1/batch" : "/v1/track", bytes, Map.of());
    }

    @Property(tries = 300, shrinking = ShrinkingMode.OFF)
    void invalidUtf8AndLoneSurrogates(@ForAll("badText") byte[] bad, @ForAll @IntRange(max = 5) int where,
                                      @ForAll boolean batch) throws Exception {
        property = "invalidUtf8AndLoneSurrogates";
        byte[] call = switch (where) {
            case 0 -> concat("{\"userId\":\"", bad, "\",\"event\":\"E\"}");
            case 1 -> concat("{\"userId\":\"u\",\"event\":\"", bad, "\"}");
            case 2 -> concat("{\"userId\":\"u\",\"event\":\"E\",\"properties\":{\"", bad, "\":1}}");
            case 3 -> concat("{\"userId\":\"u\",\"event\":\"E\",\"messageId\":\"", bad, "\"}");
            case 4 -> concat("{\"userId\":\"u\",\"event\":\"E\",\"timestamp\":\"", bad, "\"}");
            default -> concat("{\"userId\":\"u\",\"event\":\"E\",\"context\":{\"ip\":\"", bad, "\"}}");
        };
        byte[] body = batch ? concat("{\"batch\":[", call, "]}") : call;
        HttpResponse<String> response = send(batch ? "/v1/batch" : "/v1/track", body, Map.of(), true);
        assertClear(response, java.util.HexFormat.of().formatHex(bad));
        if (!isUtf8(body)) {
            // Not JSON (RFC 8259 text is UTF-8): refused, never stored with the bytes patched up.
            assertThat(response.statusCode()).as("invalid UTF-8 " + java.util.HexFormat.of().formatHex(bad) + " at " + where
                    + ": " + response.body()).isEqualTo(400);
        }
    }

    static boolean isUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }

    @Property(tries = 200, shrinking = ShrinkingMode.OFF)
    void deepNesting(@ForAll @IntRange(min = 1, max = 20_000) int depth, @ForAll boolean arrays,
                     @ForAll boolean closed, @ForAll @IntRange(max = 3) int where) throws Exception {
        property = "deepNesting";
        String open = arrays ? "[" : "{\"a\":";
        String close = arrays ? "]" : "}";
        String nested = open.repeat(depth) + "1" + (closed ? close.repeat(depth) : "");
        String body = switch (where) {
            case 0 -> "{\"userId\":\"u\",\"event\":\"E\",\"properties\":{\"deep\":" + nested + "}}";
            case 1 -> "{\"batch\":[{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"properties\":" + nested + "}]}";
            case 2 -> "{\"batch\":[],\"context\":" + nested + "}";
            default -> nested;
        };
        expectClearAnswer(where == 0 ? "/v1/track" : "/v1/batch", body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    @Property(tries = 300, shrinking = ShrinkingMode.OFF)
    void hugeNumbersAndStrings(@ForAll("hugeValues") String value, @ForAll @IntRange(max = 6) int field,
                               @ForAll boolean batch) throws Exception {
        property = "hugeNumbersAndStrings";
        String name = List.of("userId", "anonymousId", "messageId", "event", "timestamp", "groupId", "properties").get(field);
        String call = "{\"type\":\"track\",\"userId\":\"u\",\"anonymousId\":\"a\",\"event\":\"E\",\"groupId\":\"g\","
                .replace("\"" + name + "\":\"" + defaultOf(name) + "\",", "")
                + "\"" + name + "\":" + value + "}";
        String body = batch ? "{\"batch\":[" + call + "],\"sentAt\":\"2024-01-01T00:00:00Z\"}" : call;
        expectClearAnswer(batch ? "/v1/batch" : "/v1/track", body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    @Property(tries = 300, shrinking = ShrinkingMode.OFF)
    void extremeTimestamps(@ForAll("timestamps") String timestamp, @ForAll("timestamps") String sentAt,
                           @ForAll @IntRange(max = 3) int shape) throws Exception {
        property = "extremeTimestamps";
        String body;
        String path;
        switch (shape) {
            case 0 -> {
                path = "/v1/track";
                body = "{\"userId\":\"u\",\"event\":\"E\",\"timestamp\":\"" + timestamp + "\",\"sentAt\":\"" + sentAt + "\"}";
            }
            case 1 -> {
                path = "/v1/batch";
                body = "{\"batch\":[{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"timestamp\":\"" + timestamp
                        + "\"}],\"sentAt\":\"" + sentAt + "\"}";
            }
            case 2 -> {
                path = "/v1/identify";
                body = "{\"userId\":\"u\",\"originalTimestamp\":\"" + timestamp + "\",\"sentAt\":\"" + sentAt + "\"}";
            }
            default -> {
                path = "/v1/page";
                body = "{\"userId\":\"u\",\"timestamp\":\"" + timestamp + "\"}";
            }
        }
        expectClearAnswer(path, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    @Property(tries = 300, shrinking = ShrinkingMode.OFF)
    void wrongContentTypesAndEncodings(@ForAll("headerValues") String contentType,
                                       @ForAll("headerValues") String contentEncoding,
                                       @ForAll boolean sendEncoding) throws Exception {
        property = "wrongContentTypesAndEncodings";
        Map<String, String> headers = sendEncoding
                ? Map.of("Content-Type", contentType, "Content-Encoding", contentEncoding)
                : Map.of("Content-Type", contentType);
        expectClearAnswer("/v1/track", "{\"userId\":\"u\",\"event\":\"E\"}".getBytes(StandardCharsets.UTF_8), headers);
    }

    @Property(tries = 60, shrinking = ShrinkingMode.OFF)
    void gzipBombsAndBrokenGzip(@ForAll @IntRange(min = 1, max = 200) int inflatedMegabytes,
                                @ForAll @IntRange(max = 6) int kind, @ForAll boolean batch) throws Exception {
        property = "gzipBombsAndBrokenGzip";
        byte[] valid = (batch ? "{\"batch\":[{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\"}]}"
                : "{\"userId\":\"u\",\"event\":\"E\"}").getBytes(StandardCharsets.UTF_8);
        byte[] body = switch (kind) {
            case 0 -> bomb(inflatedMegabytes, (byte) ' ');                      // whitespace: valid JSON prefix
            case 1 -> bomb(inflatedMegabytes, (byte) '[');                      // nesting once inflated
            case 2 -> java.util.Arrays.copyOf(gzip(valid), gzip(valid).length - 1 - inflatedMegabytes % 10);
            case 3 -> concat(gzip(valid), new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0});   // a broken second member
            case 4 -> gzip(gzip(valid));                                        // gzip of gzip
            case 5 -> valid;                                                    // says gzip, is not
            default -> concat(gzip(valid), gzip(valid));                        // two members: JSON, then trailing
        };
        expectClearAnswer(batch ? "/v1/batch" : "/v1/track", body, Map.of("Content-Encoding", "gzip"));
    }

    @Property(tries = 300, shrinking = ShrinkingMode.OFF)
    void garbageCredentials(@ForAll("authorizations") String authorization, @ForAll boolean keyInBody) throws Exception {
        property = "garbageCredentials";
        String body = keyInBody ? "{\"writeKey\":\"" + KEY + "\",\"userId\":\"u\",\"event\":\"E\"}" : "{\"userId\":\"u\",\"event\":\"E\"}";
        Map<String, String> headers = authorization.isEmpty() ? Map.of() : Map.of("Authorization", authorization);
        HttpResponse<String> response = send("/v1/track", body.getBytes(StandardCharsets.UTF_8), headers, false);
        assertClear(response, authorization);
        assertThat(response.body()).doesNotContain(KEY);
    }

    // ---- the check ----

    static void expectClearAnswer(String path, byte[] body, Map<String, String> headers) throws Exception {
        assertClear(send(path, body, headers, true), new String(body, 0, Math.min(body.length, 300), StandardCharsets.UTF_8));
    }

    static HttpResponse<String> send(String path, byte[] body, Map<String, String> headers, boolean authenticate)
            throws Exception {
        TRIED.incrementAndGet();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(sluice.server().baseUrl() + path))
                .timeout(REQUEST_BOUND)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (!headers.containsKey("Content-Type")) {
            request.header("Content-Type", "application/json");
        }
        if (authenticate) {
            request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((KEY + ":").getBytes(StandardCharsets.UTF_8)));
        }
        headers.forEach(request::header);
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            STATUSES.computeIfAbsent(Integer.toString(response.statusCode()), s -> new AtomicLong()).incrementAndGet();
            return response;
        } catch (HttpTimeoutException e) {
            throw new AssertionError("no answer within " + REQUEST_BOUND + " (a hang) for " + path, e);
        }
    }

    static void assertClear(HttpResponse<String> response, String input) throws IOException {
        int status = response.statusCode();
        String what = "status " + status + " body " + response.body() + " for input " + input;
        assertThat(status).as(what).isBetween(200, 499);
        assertThat(status).as(what).isIn(200, 400, 401, 413, 415, 429);
        JsonNode answer = JSON.readTree(response.body());
        assertThat(answer).as(what).isNotNull();
        if (status == 200) {
            assertThat(answer.get("success").asBoolean()).as(what).isTrue();
        } else {
            assertThat(answer.get("success").asBoolean()).as(what).isFalse();
            assertThat(answer.get("code").isTextual()).as(what).isTrue();
            assertThat(answer.get("message").isTextual()).as(what).isTrue();
        }
    }

    // ---- inputs ----

    @Provide
    Arbitrary<String> validBodies() {
        Arbitrary<String> ids = Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(12);
        Arbitrary<String> call = Combinators.combine(ids, ids, Arbitraries.integers().between(-5, 5))
                .as((user, event, n) -> "{\"type\":\"track\",\"userId\":\"" + user + "\",\"event\":\"" + event
                        + "\",\"properties\":{\"n\":" + n + ",\"list\":[1,2.5,\"x\",null,true,{\"k\":[]}]},"
                        + "\"context\":{\"library\":{\"name\":\"analytics.js\"}},\"timestamp\":\"2024-05-01T10:00:00.000Z\"}");
        return Arbitraries.oneOf(call, call.list().ofMinSize(1).ofMaxSize(5).map(
                calls -> "{\"batch\":[" + String.join(",", calls) + "],\"sentAt\":\"2024-05-01T10:00:01Z\"}"));
    }

    /** One change to a body: a byte replaced, inserted or removed, or a span doubled. */
    record Mutation(int kind, int position, byte value) {
        byte[] apply(byte[] in) {
            if (in.length == 0) {
                return new byte[] {value};
            }
            int at = Math.floorMod(position, in.length);
            ByteArrayOutputStream out = new ByteArrayOutputStream(in.length + 16);
            switch (kind) {
                case 0 -> {
                    byte[] copy = in.clone();
                    copy[at] = value;
                    return copy;
                }
                case 1 -> {
                    out.write(in, 0, at);
                    out.write(value);
                    out.write(in, at, in.length - at);
                }
                case 2 -> {
                    out.write(in, 0, at);
                    out.write(in, at + 1, in.length - at - 1);
                }
                default -> {
                    out.write(in, 0, at);
                    out.write(in, 0, in.length);
                }
            }
            return out.toByteArray();
        }
    }

    @Provide
    Arbitrary<List<Mutation>> mutations() {
        byte[] chars = "{}[]\",:\\ 0e-.nt\u0000".getBytes(StandardCharsets.ISO_8859_1);
        Arbitrary<Byte> structural = Arbitraries.integers().between(0, chars.length - 1).map(i -> chars[i]);
        Arbitrary<Byte> any = Arbitraries.bytes();
        return Combinators.combine(Arbitraries.integers().between(0, 3), Arbitraries.integers(),
                        Arbitraries.oneOf(structural, any))
                .as(Mutation::new).list().ofMinSize(0).ofMaxSize(4);
    }

    @Provide
    Arbitrary<byte[]> badText() {
        Arbitrary<byte[]> fixed = Arbitraries.of(
                new byte[] {(byte) 0xC0, (byte) 0xAF},                    // overlong '/'
                new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},       // a UTF-16 surrogate, encoded
                new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, // past U+10FFFF
                new byte[] {(byte) 0xFF, (byte) 0xFE},
                new byte[] {(byte) 0xE2, (byte) 0x82},                    // cut short
                new byte[] {(byte) 0x80},
                "\\uD800".getBytes(StandardCharsets.US_ASCII),             // lone high surrogate, escaped
                "\\uDC00x".getBytes(StandardCharsets.US_ASCII),            // lone low surrogate
                "\\uD83D\\u0041".getBytes(StandardCharsets.US_ASCII),      // broken pair
                "\\u0000".getBytes(StandardCharsets.US_ASCII),
                "\\u12".getBytes(StandardCharsets.US_ASCII),
                new byte[] {0x00, 0x01, 0x1F});
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(40);
        return Arbitraries.oneOf(fixed, random, Combinators.combine(fixed, random).as(HostileInputTest::concat));
    }

    @Provide
    Arbitrary<String> hugeValues() {
        Arbitrary<Integer> length = Arbitraries.integers().between(1, 31_000);
        return Arbitraries.oneOf(
                length.map(n -> "1".repeat(n)),                                     // a long integer
                length.map(n -> "-0." + "9".repeat(n) + "e-999999999"),
                Arbitraries.of("1e999999999", "-1E-999999999", "1e2147483648", "9".repeat(999) + "e99999",
                        "-0.0", "1.0e+309", "0." + "0".repeat(900) + "1", "123456789012345678901234567890"),
                length.map(n -> "\"" + "x".repeat(n) + "\""),                        // a long string
                length.map(n -> "\"" + "\\u00e9".repeat(n / 6 + 1) + "\""),          // escapes that shrink
                length.map(n -> "{" + "\"k\":1,".repeat(n / 6) + "\"z\":0}"),        // many duplicate keys
                length.map(n -> "[" + "0,".repeat(n / 2) + "0]"));
    }

    @Provide
    Arbitrary<String> timestamps() {
        return Arbitraries.oneOf(
                Arbitraries.of("+999999999-12-31T23:59:59.999999999Z", "-999999999-01-01T00:00:00Z",
                        "+999999999-12-31T23:59:59-18:00", "-999999999-01-01T00:00:00+18:00",
                        "+10000-01-01T00:00:00Z", "0000-01-01T00:00:00Z", "-0001-12-31T23:59:59Z",
                        "+292278994-08-17T07:12:55.807Z", "-292275055-05-16T16:47:04.192Z",
                        "2024-02-30T00:00:00Z", "2024-12-31T23:59:60Z", "2024-01-01T24:00:00Z",
                        "2024-01-01T00:00:00+25:00", "2024-01-01T00:00:00.1234567890Z", "2024-01-01",
                        "1970-01-01T00:00:00Z", "2024-05-01T10:00:00.000Z", "", " ", "T", "now"),
                Arbitraries.longs().between(-999_999_999L, 999_999_999L).map(year ->
                        (year < 0 ? "-" : year > 9999 ? "+" : "") + String.format("%04d", Math.abs(year)) + "-06-15T12:00:00Z"));
    }

    @Provide
    Arbitrary<String> headerValues() {
        return Arbitraries.oneOf(
                Arbitraries.of("application/json", "text/plain", "application/json; charset=utf-8",
                        "application/json; charset=iso-8859-1", "APPLICATION/JSON", "application/x-www-form-urlencoded",
                        "multipart/form-data; boundary=x", "text/html", "application/json;;;", ";", "*/*", "gzip",
                        "deflate", "br", "identity", "gzip, deflate", "x-gzip", "compress", "GZIP "),
                Arbitraries.strings().withCharRange(' ', '~').ofMinLength(1).ofMaxLength(200)
                        .filter(s -> !s.isBlank()));
    }

    @Provide
    Arbitrary<String> authorizations() {
        Arbitrary<String> garbage = Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(300);
        Arbitrary<String> basic = Arbitraries.bytes().array(byte[].class).ofMaxSize(200)
                .map(b -> "Basic " + Base64.getEncoder().encodeToString(b));
        Arbitrary<String> nearKey = Arbitraries.strings().withCharRange('!', '~').ofMaxLength(40)
                .map(s -> "Basic " + Base64.getEncoder().encodeToString((KEY.substring(0, s.length() % KEY.length()) + s)
                        .getBytes(StandardCharsets.UTF_8)));
        return Arbitraries.oneOf(garbage, basic, nearKey,
                Arbitraries.of("Basic", "Basic ", "Bearer " + KEY, "Basic ====", "Basic " + KEY,
                        "Basic " + Base64.getEncoder().encodeToString((KEY + ":x").getBytes(StandardCharsets.UTF_8)), ""));
    }

    // ---- helpers ----

    static String defaultOf(String field) {
        return switch (field) {
            case "userId" -> "u";
            case "anonymousId" -> "a";
            case "event" -> "E";
            case "groupId" -> "g";
            default -> "";
        };
    }

    static byte[] concat(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object part : parts) {
            byte[] bytes = part instanceof byte[] b ? b : part.toString().getBytes(StandardCharsets.UTF_8);
            out.write(bytes, 0, bytes.length);
        }
        return out.toByteArray();
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    /** {@code megabytes} MiB of one byte, gzipped: about a thousandth of that on the wire. */
    static byte[] bomb(int megabytes, byte fill) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] chunk = new byte[1024 * 1024];
        java.util.Arrays.fill(chunk, fill);
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 64 * 1024)) {
            gz.write("{\"batch\":".getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < megabytes; i++) {
                gz.write(chunk);
            }
        }
        return out.toByteArray();
    }
}
