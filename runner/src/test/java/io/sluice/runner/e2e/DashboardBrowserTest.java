package io.sluice.runner.e2e;

import static io.sluice.runner.testing.TestSluice.basic;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.kinesis.local.Kinesalite;
import io.sluice.runner.testing.AdminClient;
import io.sluice.runner.testing.Chromium;
import io.sluice.runner.testing.EventStream;
import io.sluice.runner.testing.TestSluice;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import software.amazon.awssdk.services.kinesis.model.Record;

/**
 * The dashboard in a real headless Chromium against a real Sluice and kinesalite: log in, add a
 * Kinesis destination through the form (first with a mistake), switch it off and on, move it to
 * another stream without a restart, watch the debugger; and no secret value ever reaches a page or
 * an admin API answer. Screenshots of the main views go to target/screenshots; run with
 * {@code -Dsluice.screenshots=../docs/screenshots} to refresh the README's.
 */
class DashboardBrowserTest {

    static final String TOKEN = "admin-token-for-the-browser-test";
    static final String KEY = "wk-browser-test";
    static final String CANARY = "canary-secret-3b9f1c7e-browser";
    static final String NAME = "web/kinesis";
    static final Path SCREENSHOTS = Path.of(System.getProperty("user.dir"))
            .resolve(System.getProperty("sluice.screenshots", "target/screenshots")).normalize();

    @TempDir
    Path dir;

    ChromeDriver driver;
    WebDriverWait wait;
    AdminClient admin;
    final List<String> pages = new ArrayList<>();

    @Test
    void aKinesisDestinationIsAddedSwitchedAndMovedLiveAndNoSecretIsEverShown() throws Exception {
        try (Kinesalite kinesis = Kinesalite.start()) {
            kinesis.createStream("first", 1);
            kinesis.createStream("second", 1);
            String yaml = AdminClient.adminYaml(dir, TOKEN, "") + TestSluice.memorySource(KEY, "browser-yaml", "");
            try (TestSluice sluice = TestSluice.start(dir, yaml);
                 EventStream feed = EventStream.open(sluice.server().adminBaseUrl().orElseThrow(), TOKEN)) {
                String base = sluice.server().adminBaseUrl().orElseThrow();
                admin = new AdminClient(base, TOKEN);
                driver = Chromium.start();
                try {
                    wait = new WebDriverWait(driver, Duration.ofSeconds(30));
                    run(sluice, kinesis, base);
                } finally {
                    driver.quit();
                }

                // 7. No secret value in any page, any admin API answer, the debugger feed or the state file.
                for (String path : List.of("/api/sources", "/api/types", "/api/throughput?minutes=15", "/api/events",
                        AdminClient.destination("web", NAME))) {
                    assertThat(admin.get(path).statusCode()).isEqualTo(200);
                }
                assertThat(pages).hasSizeGreaterThanOrEqualTo(6).allSatisfy(p -> assertThat(p).doesNotContain(CANARY));
                assertThat(admin.bodies()).allSatisfy(b -> assertThat(b).doesNotContain(CANARY));
                assertThat(String.join("\n", feed.lines())).doesNotContain(CANARY);
                assertThat(Files.readString(dir.resolve("admin-state.json"))).doesNotContain(CANARY).contains("A256GCM");
            }
        }
    }

    private void run(TestSluice sluice, Kinesalite kinesis, String base) throws Exception {
        // 1. Log in (a write key does not get in).
        driver.get(base + "/");
        wait.until(ExpectedConditions.urlToBe(base + "/login"));
        driver.findElement(By.id("token")).sendKeys(KEY);
        driver.findElement(By.id("login-submit")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".login-error")));
        assertThat(driver.getCurrentUrl()).startsWith(base + "/login");
        screenshot("login.png");
        driver.findElement(By.id("token")).sendKeys(TOKEN);
        driver.findElement(By.id("login-submit")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("section[data-source='web'] tr[data-destination]")));
        recordResponses();
        page("overview after login");

        // 2. Add a Kinesis destination through the form, with one invalid field, and see the error.
        driver.findElement(By.cssSelector("a.add-destination[data-source='web']")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("setting-region")));
        assertThat(new Select(driver.findElement(By.id("destination-type"))).getFirstSelectedOption().getAttribute("value"))
                .isEqualTo("kinesis");
        assertThat(driver.findElement(By.id("setting-secretAccessKey")).getAttribute("type")).isEqualTo("password");
        assertThat(driver.findElement(By.id("setting-endpoint")).getAttribute("type")).isEqualTo("url");
        assertThat(driver.findElement(By.id("setting-maxRecordBytes")).getAttribute("type")).isEqualTo("number");
        assertThat(driver.findElement(By.id("setting-payloadEncoding")).getTagName()).isEqualTo("select");
        assertThat(driver.findElement(By.id("setting-useMessageId")).getAttribute("type")).isEqualTo("checkbox");
        // The region is a choice list (the schema's enum): only the stream can be typed wrong.
        assertThat(driver.findElement(By.id("setting-region")).getTagName()).isEqualTo("select");
        new Select(driver.findElement(By.id("setting-region"))).selectByValue("us-east-1");
        type("setting-stream", "first stream!");
        type("setting-endpoint", kinesis.endpoint().toString());
        type("setting-accessKeyId", "local");
        type("setting-secretAccessKey", CANARY);
        driver.findElement(By.id("save")).click();
        WebElement error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("error-stream")));
        JsonNode expected = streamError(kinesis);
        assertThat(error.getText()).contains(expected.get("message").asText()).contains(expected.get("rule").asText());
        assertThat(error.findElement(By.cssSelector("code.rule")).getText()).isEqualTo(expected.get("rule").asText());
        assertThat(driver.findElements(By.cssSelector(".field-error:not([hidden])"))).hasSize(1);
        assertThat(driver.findElement(By.id("setting-stream")).getAttribute("aria-invalid")).isEqualTo("true");
        screenshot("form-error.png");
        page("form with an error");

        // 3. Fix the field.
        type("setting-stream", "first");
        driver.findElement(By.id("save")).click();
        WebElement row = wait.until(ExpectedConditions.presenceOfElementLocated(row(NAME)));
        page("overview with the new destination");
        track(sluice, "first-1");
        awaitRecord(kinesis, "first", "first-1");
        wait.until(d -> !d.findElement(row(NAME)).findElement(By.cssSelector(".delivered")).getText().equals("0"));
        assertThat(driver.findElement(row(NAME)).findElement(By.cssSelector(".health .badge")).getText()).isEqualTo("healthy");
        assertThat(driver.findElement(row(NAME)).findElements(By.cssSelector("svg.spark polyline.line"))).hasSize(1);

        // 4. Switch it off: events stop arriving at kinesalite.
        driver.findElement(row(NAME)).findElement(By.cssSelector(".switch .slider")).click();
        wait.until(ExpectedConditions.attributeToBe(row(NAME), "data-enabled", "false"));
        assertThat(admin.getJson(AdminClient.destination("web", NAME)).get("enabled").asBoolean()).isFalse();
        track(sluice, "while-off");
        page("overview, switched off");

        // 5. Switch it on again: events arrive.
        driver.findElement(row(NAME)).findElement(By.cssSelector(".switch .slider")).click();
        wait.until(ExpectedConditions.attributeToBe(row(NAME), "data-enabled", "true"));
        track(sluice, "after-on");
        awaitRecord(kinesis, "first", "after-on");
        assertThat(messageIds(kinesis, "first")).containsExactly("first-1", "after-on");
        JsonNode offEntry = debuggerEntry("while-off");
        assertThat(offEntry.get("destinations")).extracting(d -> d.get("name").asText()).doesNotContain(NAME);

        // 6. Change the stream: new events go to the new stream, without a restart.
        driver.findElement(row(NAME)).findElement(By.cssSelector("a.edit")).click();
        WebElement secret = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("setting-secretAccessKey")));
        assertThat(secret.getAttribute("value")).isEmpty();
        assertThat(secret.getAttribute("placeholder")).isEqualTo("set — leave empty to keep");
        assertThat(driver.findElement(By.id("setting-stream")).getAttribute("value")).isEqualTo("first");
        page("edit form");
        screenshot("edit-form.png");
        type("setting-stream", "second");
        driver.findElement(By.id("save")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(row(NAME)));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("flash"), "no restart needed"));
        track(sluice, "to-second");
        awaitRecord(kinesis, "second", "to-second");
        assertThat(messageIds(kinesis, "second")).containsExactly("to-second");
        assertThat(messageIds(kinesis, "first")).containsExactly("first-1", "after-on");
        assertThat(admin.getJson(AdminClient.destination("web", NAME)).at("/settings/stream").asText()).isEqualTo("second");
        wait.until(d -> Integer.parseInt(d.findElement(row(NAME)).findElement(By.cssSelector(".delivered")).getText()) >= 3);
        page("overview after the move");
        screenshot("overview.png");

        // The debugger: validation, each destination's outcome and the Kinesis record.
        sluice.post("/v1/track", "{\"userId\":\"user_9\",\"messageId\":\"no-event-name\"}", basic(KEY));
        driver.findElement(By.id("nav-debugger")).click();
        By outcome = By.cssSelector("li.entry[data-message-id='to-second'] .outcome[data-destination='" + NAME
                + "'][data-status='delivered']");
        WebElement delivered = wait.until(ExpectedConditions.presenceOfElementLocated(outcome));
        Record record = record(kinesis, "second", "to-second").orElseThrow();
        assertThat(delivered.findElement(By.cssSelector(".partition-key")).getText()).isEqualTo("user_1").isEqualTo(record.partitionKey());
        assertThat(delivered.findElement(By.cssSelector(".shard-id")).getText()).startsWith("shardId-");
        assertThat(delivered.findElement(By.cssSelector(".sequence-number")).getText()).isEqualTo(record.sequenceNumber());
        WebElement rejected = wait.until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("li.entry[data-message-id='no-event-name'][data-valid='false']")));
        assertThat(rejected.findElement(By.cssSelector("ul.errors")).getText()).contains("event");
        wait.until(ExpectedConditions.attributeContains(By.id("live"), "class", "on"));
        page("debugger");
        screenshot("debugger.png");
        collectResponses();
    }

    private static By row(String name) {
        return By.cssSelector("tr[data-destination='" + name + "']");
    }

    private void type(String id, String text) {
        WebElement input = driver.findElement(By.id(id));
        input.clear();
        input.sendKeys(text);
    }

    private static void track(TestSluice sluice, String messageId) throws Exception {
        assertThat(sluice.post("/v1/track", "{\"userId\":\"user_1\",\"event\":\"Clicked\",\"messageId\":\"" + messageId + "\"}",
                basic(KEY)).statusCode()).isEqualTo(200);
    }

    /** The error the API gives for the stream the test types first, to compare with what the page shows. */
    private JsonNode streamError(Kinesalite kinesis) throws Exception {
        String body = "{\"type\":\"kinesis\",\"name\":\"web/probe\",\"settings\":{\"region\":\"us-east-1\",\"stream\":\"first stream!\","
                + "\"endpoint\":\"" + kinesis.endpoint() + "\"}}";
        JsonNode answer = AdminClient.JSON.readTree(admin.bearer("POST", "/api/sources/web/destinations", body).body());
        assertThat(answer.get("errors")).hasSize(1);
        return answer.get("errors").get(0);
    }

    private JsonNode debuggerEntry(String messageId) throws Exception {
        for (JsonNode e : admin.getJson("/api/events").get("events")) {
            if (e.path("messageId").asText().equals(messageId)) {
                return e;
            }
        }
        throw new AssertionError("no debugger entry for " + messageId);
    }

    private static List<String> messageIds(Kinesalite kinesis, String stream) throws Exception {
        List<String> ids = new ArrayList<>();
        for (Record r : kinesis.records(stream)) {
            ids.add(AdminClient.JSON.readTree(Base64.getDecoder().decode(r.data().asUtf8String())).get("messageId").asText());
        }
        return ids;
    }

    private static Optional<Record> record(Kinesalite kinesis, String stream, String messageId) {
        return kinesis.records(stream).stream().filter(r -> new String(Base64.getDecoder().decode(r.data().asUtf8String()),
                StandardCharsets.UTF_8).contains("\"" + messageId + "\"")).findFirst();
    }

    private static void awaitRecord(Kinesalite kinesis, String stream, String messageId) throws InterruptedException {
        TestSluice.await(messageId + " in kinesalite stream " + stream, () -> record(kinesis, stream, messageId).isPresent());
    }

    /** Keeps the page's source: step 7 checks every one of them. */
    private void page(String what) {
        String source = driver.getPageSource();
        assertThat(source).as(what).doesNotContain(CANARY);
        pages.add(source);
    }

    /** From here on, the page keeps the body of every admin API answer it receives. */
    private void recordResponses() {
        ((JavascriptExecutor) driver).executeScript("""
                window.__answers = [];
                const original = window.fetch;
                window.fetch = async (...args) => {
                  const response = await original(...args);
                  response.clone().text().then(text => window.__answers.push(text));
                  return response;
                };""");
    }

    @SuppressWarnings("unchecked")
    private void collectResponses() {
        List<String> answers = (List<String>) ((JavascriptExecutor) driver).executeScript("return window.__answers;");
        assertThat(answers).hasSizeGreaterThan(5).allSatisfy(a -> assertThat(a).doesNotContain(CANARY));
        assertThat(String.join("", answers)).contains("\"secretAccessKey\":{\"set\":true}");
    }

    private void screenshot(String name) throws Exception {
        Files.createDirectories(SCREENSHOTS);
        Files.write(SCREENSHOTS.resolve(name), ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
    }
}
