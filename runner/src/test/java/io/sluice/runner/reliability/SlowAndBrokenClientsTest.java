package io.sluice.runner.reliability;

import static io.sluice.runner.testing.TestSluice.basic;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.runner.testing.TestSluice;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Clients that stall or break HTTP itself, on raw sockets to 127.0.0.1: a client that sends half its
 * headers, or half its body, or nothing, and waits, is dropped within a bounded time (each wait is
 * bounded by 90 s, {@code -Dsluice.reliability.dropBoundSeconds}; the figures say how long it took) and does not keep
 * anyone else from being served; malformed framing gets a 4xx or a closed connection, never a 5xx
 * or a hang.
 */
class SlowAndBrokenClientsTest {

    static final String KEY = "slow-write-key";
    static final int DROP_BOUND_SECONDS = Figures.intProperty("sluice.reliability.dropBoundSeconds", 90);

    @TempDir
    static Path dir;

    static TestSluice sluice;

    /** Shorter than the production limits (30 s for headers, 75 s without a byte), so the test takes seconds. */
    static final Map<String, String> LIMITS = Map.of(
            "sluice.http.requestParseTimeoutMs", "5000",
            "sluice.http.readTimeoutMs", "8000",
            "sluice.http.noRequestTimeoutMs", "8000");

    @BeforeAll
    static void start() throws Exception {
        LIMITS.forEach(System::setProperty);
        try {
            sluice = TestSluice.start(dir, TestSluice.memorySource(KEY, "slow", ", mode: discard"));
        } finally {
            LIMITS.keySet().forEach(System::clearProperty);
        }
    }

    @AfterAll
    static void stop() {
        sluice.close();
    }

    @Test
    @Timeout(180)
    void stalledClientsAreDroppedAndDoNotBlockOthers() throws Exception {
        int port = sluice.server().port();
        String auth = "Authorization: Basic " + Base64.getEncoder().encodeToString((KEY + ":").getBytes(StandardCharsets.UTF_8));
        List<Stalled> stalled = new ArrayList<>();
        for (int i = 0; i < 30; i++) { // half a body, then nothing
            stalled.add(Stalled.open("half-body", port, "POST /v1/track HTTP/1.1\r\nHost: x\r\n" + auth
                    + "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"userId\":\"u\","));
        }
        for (int i = 0; i < 30; i++) { // half the headers, then nothing (slowloris)
            stalled.add(Stalled.open("half-headers", port, "POST /v1/batch HTTP/1.1\r\nHost: x\r\nContent-Ty"));
        }
        for (int i = 0; i < 10; i++) { // connected, says nothing
            stalled.add(Stalled.open("silent", port, ""));
        }
        for (int i = 0; i < 10; i++) { // one full request, then keeps the connection open and idle
            stalled.add(Stalled.open("idle-keep-alive", port, "POST /v1/track HTTP/1.1\r\nHost: x\r\n" + auth
                    + "\r\nContent-Type: application/json\r\nContent-Length: 29\r\n\r\n{\"userId\":\"u\",\"event\":\"E\"}  "));
        }

        // With 80 connections stalled, others are still served at once: no thread is pinned.
        List<Integer> others = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            others.add(sluice.post("/v1/track", "{\"userId\":\"u\",\"event\":\"E\"}", basic(KEY)).statusCode());
        }

        ExecutorService waiters = Executors.newFixedThreadPool(stalled.size());
        try {
            List<CompletableFuture<String>> outcomes = new ArrayList<>();
            for (Stalled s : stalled) {
                outcomes.add(CompletableFuture.supplyAsync(s::awaitDrop, waiters));
            }
            Map<String, List<String>> byKind = new TreeMap<>();
            double slowest = 0;
            for (int i = 0; i < stalled.size(); i++) {
                String outcome = outcomes.get(i).get(DROP_BOUND_SECONDS + 30, TimeUnit.SECONDS);
                byKind.computeIfAbsent(stalled.get(i).kind, k -> new ArrayList<>()).add(outcome);
                slowest = Math.max(slowest, stalled.get(i).seconds);
            }
            Map<String, String> summary = new TreeMap<>();
            byKind.forEach((kind, list) -> summary.put(kind, list.stream().distinct().sorted().toList().toString()));
            Figures.of("slow-clients").put("inputs", stalled.size()).put("limits", LIMITS.values().toString().replace(" ", "")).put("othersServed", others.stream().filter(s -> s == 200).count())
                    .put("outcomes", summary.toString().replace(" ", ""))
                    .put("slowestDropSeconds", String.format("%.1f", slowest)).print();
            assertThat(others).as("requests served while clients stall").containsOnly(200);
            byKind.forEach((kind, list) -> assertThat(list).as(kind + " connections").allSatisfy(outcome ->
                    assertThat(outcome).as(kind).matches("closed|408.*|400.*")));
        } finally {
            waiters.shutdownNow();
            stalled.forEach(Stalled::close);
        }
        assertThat(sluice.get("/health").statusCode()).isEqualTo(200);
    }

    /** A connection that sent {@code preamble} and then nothing. */
    static final class Stalled {
        final String kind;
        final Socket socket;
        final long openedNanos = System.nanoTime();
        volatile double seconds;

        private Stalled(String kind, Socket socket) {
            this.kind = kind;
            this.socket = socket;
        }

        static Stalled open(String kind, int port, String preamble) throws IOException {
            Socket socket = new Socket();
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
            socket.setSoTimeout(DROP_BOUND_SECONDS * 1000);
            OutputStream out = socket.getOutputStream();
            out.write(preamble.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return new Stalled(kind, socket);
        }

        /**
         * Reads until the server closes: "closed", or the status line of an answer it sent first
         * (for idle-keep-alive, the answer to its one request does not count), or "still open".
         */
        String awaitDrop() {
            try (InputStream in = socket.getInputStream()) {
                ByteArrayOutputStream seen = new ByteArrayOutputStream();
                byte[] buffer = new byte[4096];
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    seen.write(buffer, 0, n);
                }
                seconds = (System.nanoTime() - openedNanos) / 1e9;
                String text = seen.toString(StandardCharsets.ISO_8859_1);
                if (kind.equals("idle-keep-alive") && text.startsWith("HTTP/1.1 200")) {
                    text = text.substring(text.indexOf("}") + 1); // the answer to its request
                }
                return text.isBlank() ? "closed" : text.substring(text.indexOf(' ') + 1, Math.min(text.length(), text.indexOf(' ') + 4));
            } catch (SocketTimeoutException e) {
                seconds = (System.nanoTime() - openedNanos) / 1e9;
                return "still open after " + DROP_BOUND_SECONDS + " s";
            } catch (IOException e) {
                seconds = (System.nanoTime() - openedNanos) / 1e9;
                return "closed"; // reset
            }
        }

        void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // gone
            }
        }
    }

    static List<String> brokenFraming() {
        String auth = "Authorization: Basic " + Base64.getEncoder().encodeToString((KEY + ":").getBytes(StandardCharsets.UTF_8));
        String body = "{\"userId\":\"u\",\"event\":\"E\"}";
        String head = "POST /v1/track HTTP/1.1\r\nHost: x\r\n" + auth + "\r\nContent-Type: application/json\r\n";
        return List.of(
                head + "Content-Length: 26\r\nTransfer-Encoding: chunked\r\n\r\n1a\r\n" + body + "\r\n0\r\n\r\n",
                head + "Content-Length: 26\r\nContent-Length: 5\r\n\r\n" + body,
                head + "Content-Length: -1\r\n\r\n" + body,
                head + "Content-Length: 99999999999999999999\r\n\r\n" + body,
                head + "Content-Length: 1e3\r\n\r\n" + body,
                head + "Content-Length: 2000000000\r\n\r\n" + body,
                head + "Transfer-Encoding: chunked\r\n\r\nzz\r\n" + body + "\r\n0\r\n\r\n",
                head + "Transfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFF\r\n" + body + "\r\n0\r\n\r\n",
                head + "Transfer-Encoding: chunked\r\n\r\n-5\r\nabc\r\n0\r\n\r\n",
                head + "Transfer-Encoding: gzip, chunked\r\n\r\n1a\r\n" + body + "\r\n0\r\n\r\n",
                head + "Transfer-Encoding: identity\r\nContent-Length: 26\r\n\r\n" + body,
                head + "Transfer-Encoding: chunked\r\n\r\n" + "1\r\n{\r\n".repeat(20) + "0\r\n\r\n",
                head + "Expect: 100-continue\r\nContent-Length: 26\r\n\r\n" + body,
                head + "Expect: something-else\r\nContent-Length: 26\r\n\r\n" + body,
                head + "X-Long: " + "a".repeat(70_000) + "\r\nContent-Length: 26\r\n\r\n" + body,
                head + "X-Many: a\r\n".repeat(2_000) + "Content-Length: 26\r\n\r\n" + body,
                head + "NoColonHeader\r\nContent-Length: 26\r\n\r\n" + body,
                head + "Bad\u0000Header: x\r\nContent-Length: 26\r\n\r\n" + body,
                head + "Content-Length: 26\n\n" + body,
                "POST /v1/track HTTP/1.1\r\n" + auth + "\r\nContent-Length: 26\r\n\r\n" + body,
                "POST /v1/track HTTP/1.0\r\n" + auth + "\r\nContent-Length: 26\r\n\r\n" + body,
                "POST /v1/track HTTP/9.9\r\nHost: x\r\n" + auth + "\r\nContent-Length: 26\r\n\r\n" + body,
                "POST /v1/track\r\n\r\n" + body,
                "POST " + "/a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
                "POST /v1/%zz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
                "POST /v1/track/../batch HTTP/1.1\r\nHost: x\r\n" + auth + "\r\nContent-Length: 26\r\n\r\n" + body,
                "POST /v1/track?" + "q=1&".repeat(5_000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
                "GARBAGE\r\n\r\n",
                "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003", // a TLS ClientHello
                "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
                "CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: x\r\n\r\n",
                "TRACE /v1/track HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n\r\n",
                "POST /v1/track HTTP/1.1\r\nHost: x\r\n" + auth + "\r\nContent-Length: 26\r\n\r\n" + body
                        + "POST /v1/track HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n{",   // pipelined, then cut
                "\r\n\r\n\r\n" + head + "Content-Length: 26\r\n\r\n" + body);
    }

    @ParameterizedTest
    @MethodSource("brokenFraming")
    @Timeout(120)
    void brokenFramingGetsA4xxOrAClosedConnection(String request) throws Exception {
        String first;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), sluice.server().port()), 5_000);
            socket.setSoTimeout(DROP_BOUND_SECONDS * 1000);
            try {
                socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
                socket.getOutputStream().flush();
                socket.shutdownOutput(); // the client is done; the server must answer or close, not wait
            } catch (IOException e) {
                // the server closed first: that is an answer too
            }
            ByteArrayOutputStream seen = new ByteArrayOutputStream();
            try {
                socket.getInputStream().transferTo(seen);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("no answer and no close within " + DROP_BOUND_SECONDS + " s: a hang");
            } catch (IOException e) {
                // reset: closed
            }
            String text = seen.toString(StandardCharsets.ISO_8859_1);
            // An interim "100 Continue" is not the answer; the line after it is.
            first = text.lines().filter(line -> line.startsWith("HTTP/") && !line.matches("HTTP/1\\.[01] 1\\d\\d.*"))
                    .findFirst().orElse(text.isEmpty() ? "closed" : text.lines().findFirst().orElse(""));
        }
        String shown = request.length() > 80 ? request.substring(0, 80) + "..." : request;
        System.out.println("RELIABILITY-FRAMING " + first + " <- " + shown.replace("\r\n", "\\r\\n"));
        assertThat(first).as(shown).matches("closed|HTTP/1\\.[01] [24]\\d\\d .*");
        assertThat(sluice.get("/health").statusCode()).isEqualTo(200);
    }

    @Test
    void framingFiguresLine() {
        Figures.of("broken-framing").put("inputs", brokenFraming().size()).print();
    }
}
