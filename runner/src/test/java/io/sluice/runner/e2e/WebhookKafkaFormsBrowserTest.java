package io.sluice.runner.e2e;

import static io.sluice.runner.testing.TestSluice.basic;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.sluice.kafka.LocalKafka;
import io.sluice.runner.testing.AdminClient;
import io.sluice.runner.testing.Chromium;
import io.sluice.runner.testing.TestSluice;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard's forms for the Webhooks and Kafka destinations, in a real headless Chromium against
 * a real Sluice, two local HTTP receivers and a real KRaft broker with a SASL/SCRAM listener: a list
 * setting edited one row per value (with a bad value shown under its field by its row), a secret
 * header map, a shared secret, a SASL mechanism with username and password. What was typed lands in
 * the admin API and in what is delivered (signature and header checked by the receivers, the record
 * read back from the topic), and no secret reaches a page, an admin API answer or the state file.
 */
class WebhookKafkaFormsBrowserTest {

    static final String TOKEN = "admin-token-for-the-forms-test";
    static final String KEY = "wk-forms-test";
    static final String SHARED_SECRET = "canary-shared-secret-91d0e2";
    static final String HEADER = "Bearer canary-header-4f7a3b";
    static final String HOOKS = "web/hooks";
    static final String KAFKA = "web/kafka";
    static final String TOPIC = "dashboard-events";

    @TempDir
    Path dir;

    ChromeDriver driver;
    WebDriverWait wait;
    AdminClient admin;
    final List<String> pages = new ArrayList<>();

    /** One request a receiver got. */
    record Received(String body, String signature, String authorization) {}

    @Test
    void webhookAndKafkaDestinationsAreAddedAndEditedThroughTheirForms() throws Exception {
        List<Received> first = new CopyOnWriteArrayList<>();
        List<Received> second = new CopyOnWriteArrayList<>();
        HttpServer one = receiver(first);
        HttpServer two = receiver(second);
        String url1 = "http://127.0.0.1:" + one.getAddress().getPort() + "/hook";
        String url2 = "http://127.0.0.1:" + two.getAddress().getPort() + "/hook";
        try (LocalKafka kafka = LocalKafka.start();
             TestSluice sluice = TestSluice.start(dir, AdminClient.adminYaml(dir, TOKEN, "")
                     + TestSluice.memorySource(KEY, "forms-yaml", ""))) {
            kafka.createTopic(TOPIC, 1);
            String base = sluice.server().adminBaseUrl().orElseThrow();
            admin = new AdminClient(base, TOKEN);
            driver = Chromium.start();
            try {
                wait = new WebDriverWait(driver, Duration.ofSeconds(30));
                logIn(base);
                webhook(sluice, url1, url2, first, second);
                kafka(sluice, kafka);
                collectResponses();
            } finally {
                driver.quit();
            }
            assertThat(pages).hasSizeGreaterThanOrEqualTo(4).allSatisfy(p -> assertThat(p)
                    .doesNotContain(SHARED_SECRET).doesNotContain("canary-header").doesNotContain(LocalKafka.PASSWORD));
            assertThat(admin.bodies()).isNotEmpty().allSatisfy(b -> assertThat(b)
                    .doesNotContain(SHARED_SECRET).doesNotContain("canary-header").doesNotContain(LocalKafka.PASSWORD));
            assertThat(Files.readString(dir.resolve("admin-state.json"))).contains("A256GCM")
                    .doesNotContain(SHARED_SECRET).doesNotContain("canary-header").doesNotContain(LocalKafka.PASSWORD);
        } finally {
            one.stop(0);
            two.stop(0);
        }
    }

    private void logIn(String base) {
        driver.get(base + "/");
        wait.until(ExpectedConditions.urlToBe(base + "/login"));
        driver.findElement(By.id("token")).sendKeys(TOKEN);
        driver.findElement(By.id("login-submit")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("section[data-source='web'] tr[data-destination]")));
        AdminAnswers.record(driver);
    }

    private void webhook(TestSluice sluice, String url1, String url2, List<Received> first, List<Received> second)
            throws Exception {
        // Add: the URLs one row each (one row to start with, a second added), first with a bad second value.
        openAddForm("webhook", "setting-urls");
        assertThat(values("urls")).as("one empty row to start with").containsExactly("");
        assertThat(driver.findElement(By.cssSelector("#setting-urls input")).getAttribute("type")).isEqualTo("url");
        type("destination-name", HOOKS);
        typeRow("urls", 0, url1);
        driver.findElement(By.id("add-urls")).click();
        typeRow("urls", 1, "ftp://127.0.0.1/hook");
        driver.findElement(By.cssSelector("#field-headers .map-key")).sendKeys("Authorization");
        driver.findElement(By.cssSelector("#field-headers .map-value")).sendKeys(HEADER);
        assertThat(driver.findElement(By.cssSelector("#field-headers .map-value")).getAttribute("type")).isEqualTo("password");
        type("setting-sharedSecret", SHARED_SECRET);
        driver.findElement(By.id("save")).click();
        WebElement error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("error-urls")));
        assertThat(error.getText()).startsWith("Value 2 must be an absolute URI with a host and the scheme http or https")
                .endsWith("uri_scheme");
        page("webhook form with an error");
        typeRow("urls", 1, url2);
        driver.findElement(By.id("save")).click();
        added(HOOKS);

        JsonNode settings = admin.getJson(AdminClient.destination("web", HOOKS)).get("settings");
        assertThat(texts(settings.get("urls"))).containsExactly(url1, url2);
        assertThat(settings.get("headers").toString()).isEqualTo("{\"set\":true,\"from\":\"dashboard\"}");
        assertThat(settings.get("sharedSecret").toString()).isEqualTo("{\"set\":true,\"from\":\"dashboard\"}");
        assertThat(settings.get("timeoutSeconds").asLong()).isEqualTo(10);

        // What was typed is what is delivered: to both URLs, with the header and the signature.
        track(sluice, "to-hooks");
        TestSluice.await("the event at both receivers", () -> has(first, "to-hooks") && has(second, "to-hooks"));
        for (Received r : List.of(received(first, "to-hooks"), received(second, "to-hooks"))) {
            assertThat(r.authorization()).isEqualTo(HEADER);
            assertThat(r.signature()).isEqualTo(hmacSha1(SHARED_SECRET, r.body()));
        }

        // Edit: the URLs come back one row each, the secrets do not; removing a row drops that URL and keeps the secrets.
        driver.findElement(row(HOOKS)).findElement(By.cssSelector("a.edit")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#setting-urls input")));
        assertThat(values("urls")).containsExactly(url1, url2);
        assertThat(driver.findElement(By.id("setting-sharedSecret")).getAttribute("value")).isEmpty();
        assertThat(driver.findElement(By.cssSelector("#field-headers .map-value")).getAttribute("value")).isEmpty();
        page("webhook edit form");
        driver.findElements(By.cssSelector("#setting-urls .list-remove")).get(1).click();
        assertThat(values("urls")).containsExactly(url1);
        driver.findElement(By.id("save")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("flash"), "Saved " + HOOKS));
        settings = admin.getJson(AdminClient.destination("web", HOOKS)).get("settings");
        assertThat(texts(settings.get("urls"))).containsExactly(url1);
        assertThat(settings.get("headers").get("set").asBoolean()).isTrue();
        track(sluice, "after-edit");
        TestSluice.await("the event at the URL kept", () -> has(first, "after-edit"));
        assertThat(received(first, "after-edit").signature()).isEqualTo(hmacSha1(SHARED_SECRET, received(first, "after-edit").body()));
        assertThat(received(first, "after-edit").authorization()).isEqualTo(HEADER);
        assertThat(has(second, "after-edit")).as("the URL removed gets nothing").isFalse();
    }

    private void kafka(TestSluice sluice, LocalKafka kafka) throws Exception {
        String broker1 = kafka.saslBootstrap();
        String broker2 = broker1.replace("127.0.0.1", "localhost");
        openAddForm("kafka", "setting-brokers");
        type("destination-name", KAFKA);
        typeRow("brokers", 0, broker1);
        driver.findElement(By.id("add-brokers")).click();
        typeRow("brokers", 1, broker2);
        type("setting-topic", TOPIC);
        new Select(driver.findElement(By.id("setting-mechanism"))).selectByValue("scram-sha-512");
        type("setting-username", LocalKafka.USER);
        type("setting-password", LocalKafka.PASSWORD);
        assertThat(driver.findElement(By.id("setting-password")).getAttribute("type")).isEqualTo("password");
        page("kafka add form");
        driver.findElement(By.id("save")).click();
        added(KAFKA);

        JsonNode settings = admin.getJson(AdminClient.destination("web", KAFKA)).get("settings");
        assertThat(texts(settings.get("brokers"))).containsExactly(broker1, broker2);
        assertThat(settings.get("topic").asText()).isEqualTo(TOPIC);
        assertThat(settings.get("mechanism").asText()).isEqualTo("scram-sha-512");
        assertThat(settings.get("username").asText()).isEqualTo(LocalKafka.USER);
        assertThat(settings.get("password").toString()).isEqualTo("{\"set\":true,\"from\":\"dashboard\"}");

        // The SCRAM listener takes the credentials typed in: the record arrives.
        track(sluice, "to-kafka");
        TestSluice.await("the record in " + TOPIC, () -> kafka.records(TOPIC).stream()
                .anyMatch(r -> new String(r.value(), StandardCharsets.UTF_8).contains("\"to-kafka\"")));

        driver.findElement(row(KAFKA)).findElement(By.cssSelector("a.edit")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#setting-brokers input")));
        assertThat(values("brokers")).containsExactly(broker1, broker2);
        assertThat(new Select(driver.findElement(By.id("setting-mechanism"))).getFirstSelectedOption().getAttribute("value"))
                .isEqualTo("scram-sha-512");
        assertThat(driver.findElement(By.id("setting-password")).getAttribute("value")).isEmpty();
        page("kafka edit form");
        driver.findElement(By.linkText("Cancel")).click();
    }

    private void openAddForm(String type, String firstField) {
        driver.findElement(By.cssSelector("a.add-destination[data-source='web']")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("destination-type")));
        new Select(driver.findElement(By.id("destination-type"))).selectByValue(type);
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id(firstField)));
    }

    private void added(String name) {
        wait.until(ExpectedConditions.presenceOfElementLocated(row(name)));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("flash"), "Added " + name));
        page("overview with " + name);
    }

    /** The values of a list setting's rows, as the form shows them. */
    private List<String> values(String setting) {
        return driver.findElements(By.cssSelector("#setting-" + setting + " input")).stream()
                .map(i -> i.getAttribute("value")).toList();
    }

    private void typeRow(String setting, int index, String text) {
        WebElement input = driver.findElements(By.cssSelector("#setting-" + setting + " input")).get(index);
        input.clear();
        input.sendKeys(text);
    }

    private void type(String id, String text) {
        WebElement input = driver.findElement(By.id(id));
        input.clear();
        input.sendKeys(text);
    }

    private static List<String> texts(JsonNode array) {
        assertThat(array.isArray()).as(String.valueOf(array)).isTrue();
        List<String> texts = new ArrayList<>();
        array.forEach(v -> texts.add(v.asText()));
        return texts;
    }

    private static By row(String name) {
        return By.cssSelector("tr[data-destination='" + name + "']");
    }

    private static void track(TestSluice sluice, String messageId) throws Exception {
        assertThat(sluice.post("/v1/track", "{\"userId\":\"user_1\",\"event\":\"Clicked\",\"messageId\":\"" + messageId + "\"}",
                basic(KEY)).statusCode()).isEqualTo(200);
    }

    private static HttpServer receiver(List<Received> into) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/hook", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            into.add(new Received(body, exchange.getRequestHeaders().getFirst("X-Signature"),
                    exchange.getRequestHeaders().getFirst("Authorization")));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        return server;
    }

    private static boolean has(List<Received> received, String messageId) {
        return received.stream().anyMatch(r -> r.body().contains("\"" + messageId + "\""));
    }

    private static Received received(List<Received> received, String messageId) {
        return received.stream().filter(r -> r.body().contains("\"" + messageId + "\"")).findFirst().orElseThrow();
    }

    private static String hmacSha1(String key, String body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    }

    /** Keeps the page's source: the test checks every one of them for secrets. */
    private void page(String what) {
        String source = driver.getPageSource();
        assertThat(source).as(what).doesNotContain(SHARED_SECRET).doesNotContain("canary-header")
                .doesNotContain(LocalKafka.PASSWORD);
        pages.add(source);
    }

    private void collectResponses() {
        List<String> answers = AdminAnswers.recorded(driver);
        assertThat(answers).hasSizeGreaterThan(5).allSatisfy(a -> assertThat(a).doesNotContain(SHARED_SECRET)
                .doesNotContain("canary-header").doesNotContain(LocalKafka.PASSWORD));
        assertThat(String.join("", answers)).contains("\"urls\":[").contains("\"brokers\":[")
                .contains("\"sharedSecret\":{\"set\":true,\"from\":\"dashboard\"}");
    }
}
