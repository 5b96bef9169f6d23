package io.sluice.runner.e2e;

import static io.sluice.runner.testing.TestSluice.basic;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.kinesis.local.Kinesalite;
import io.sluice.runner.testing.AdminClient;
import io.sluice.runner.testing.Chromium;
import io.sluice.runner.testing.EventStream;
import io.sluice.runner.testing.Screenshots;
import io.sluice.runner.testing.TestSluice;
import java.awt.Rectangle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import software.amazon.awssdk.services.kinesis.model.Record;

/**
 * The dashboard in a real headless Chromium against a real Sluice and kinesalite, as a first-time
 * user meets it: log in, add a Kinesis destination through the form (labels in words, the region
 * from a list, first with mistakes shown in words), add a second one under its default name, see
 * which secrets can be removed and why, see where a configured secret comes from, switch a
 * destination off and on (one state each time), move it to another stream without a restart, watch
 * the debugger; and no secret value ever reaches a page or an admin API answer.
 *
 * <p>The screenshots of the main views must still match the docs' images in docs/screenshots
 * ({@link Screenshots}); run with {@code -Dsluice.screenshots.update=true} to refresh them.
 */
class DashboardBrowserTest {

    static final String TOKEN = "admin-token-for-the-browser-test";
    static final String KEY = "wk-browser-test";
    static final String CANARY = "canary-secret-3b9f1c7e-browser";
    static final String CONFIG_CANARY = "canary-secret-5d2e8a-in-the-yaml";
    static final String NAME = "web/kinesis";
    static final String SECOND = "web/kinesis-2";
    static final String MEMORY = "web/memory";
    static final Screenshots SCREENSHOTS = Screenshots.ofRepository();

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
            String yaml = AdminClient.adminYaml(dir, TOKEN, "") + TestSluice.memorySource(KEY, "browser-yaml",
                    ", apiKey: " + CONFIG_CANARY);
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
                assertThat(pages).hasSizeGreaterThanOrEqualTo(9)
                        .allSatisfy(p -> assertThat(p).doesNotContain(CANARY).doesNotContain(CONFIG_CANARY));
                assertThat(admin.bodies()).allSatisfy(b -> assertThat(b).doesNotContain(CANARY).doesNotContain(CONFIG_CANARY));
                assertThat(String.join("\n", feed.lines())).doesNotContain(CANARY).doesNotContain(CONFIG_CANARY);
                assertThat(Files.readString(dir.resolve("admin-state.json"))).doesNotContain(CANARY)
                        .doesNotContain(CONFIG_CANARY).contains("A256GCM");
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
        AdminAnswers.record(driver);
        page("overview after login");

        // 2. Add a Kinesis destination through the form: human labels, the region from a list, and two
        //    mistakes, each shown in words under its field with the rule's code in small print.
        driver.findElement(By.cssSelector("a.add-destination[data-source='web']")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("setting-region")));
        assertThat(new Select(driver.findElement(By.id("destination-type"))).getFirstSelectedOption().getAttribute("value"))
                .isEqualTo("kinesis");
        assertThat(driver.findElement(By.id("destination-name")).getAttribute("placeholder")).isEqualTo(NAME);
        assertThat(label("accessKeyId")).isEqualTo("Access key ID");
        assertThat(label("secretAccessKey")).isEqualTo("Secret access key");
        assertThat(label("roleArn")).isEqualTo("Role ARN");
        assertThat(label("maxRecordBytes")).isEqualTo("Largest record (bytes)");
        assertThat(driver.findElement(By.cssSelector("#field-accessKeyId label code.key")).getText()).isEqualTo("accessKeyId");
        assertThat(driver.findElement(By.cssSelector("#field-secretAccessKey .hint")).getText())
                .contains("“Access key ID”").doesNotContain("accessKeyId");
        assertThat(driver.findElement(By.id("setting-secretAccessKey")).getAttribute("type")).isEqualTo("password");
        assertThat(driver.findElement(By.id("setting-endpoint")).getAttribute("type")).isEqualTo("url");
        assertThat(driver.findElement(By.id("setting-maxRecordBytes")).getAttribute("type")).isEqualTo("number");
        assertThat(driver.findElement(By.id("setting-payloadEncoding")).getTagName()).isEqualTo("select");
        assertThat(driver.findElement(By.id("setting-useMessageId")).getAttribute("type")).isEqualTo("checkbox");
        Select region = new Select(driver.findElement(By.id("setting-region")));
        assertThat(region.getFirstSelectedOption().getAttribute("value")).as("no region is picked for the user").isEmpty();
        assertThat(region.getOptions()).extracting(o -> o.getAttribute("value"))
                .containsAll(regionsInTheSchema()).contains("us-east-1", "eu-west-1").doesNotContain("aws-global");
        region.selectByValue("us-east-1");
        type("setting-stream", "first");
        type("setting-endpoint", kinesis.endpoint().toString());
        type("setting-accessKeyId", "local");
        type("setting-secretAccessKey", CANARY);
        type("setting-maxRecordBytes", "0");
        type("setting-externalId", "partner-42");
        driver.findElement(By.id("save")).click();
        WebElement error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("error-maxRecordBytes")));
        List<JsonNode> expected = apiErrors(kinesis);
        assertThat(expected).extracting(e -> e.get("field").asText()).containsExactly("maxRecordBytes", "externalId");
        assertThat(error.getText()).startsWith("Must be between 1 and 10485760 (got '0')")
                .isEqualTo(words(expected.get(0)) + expected.get(0).get("rule").asText());
        assertThat(error.findElement(By.cssSelector("code.rule")).getText()).isEqualTo("range");
        assertThat(error.findElement(By.cssSelector("code.rule")).getAttribute("title")).contains("range");
        WebElement crossError = driver.findElement(By.id("error-externalId"));
        assertThat(crossError.getText()).startsWith("Is used only to assume a role; set “Role ARN” too")
                .doesNotContain("roleArn").endsWith("requires");
        assertThat(driver.findElements(By.cssSelector(".field-error:not([hidden])"))).hasSize(2);
        assertThat(driver.findElement(By.id("setting-maxRecordBytes")).getAttribute("aria-invalid")).isEqualTo("true");
        screenshot("form-error.png", "#setting-endpoint");
        page("form with an error");

        // 3. Fix the fields.
        type("setting-maxRecordBytes", "");
        type("setting-externalId", "");
        driver.findElement(By.id("save")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(row(NAME)));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("flash"), "Added " + NAME));
        page("overview with the new destination");
        track(sluice, "first-1");
        awaitRecord(kinesis, "first", "first-1");
        wait.until(d -> !d.findElement(row(NAME)).findElement(By.cssSelector(".delivered")).getText().equals("0"));
        assertThat(status(NAME)).isEqualTo("healthy");
        assertThat(driver.findElement(row(NAME)).findElements(By.cssSelector("svg.spark polyline.line"))).hasSize(1);

        // 4. A second Kinesis destination with the name left empty gets the next free default name.
        driver.findElement(By.cssSelector("a.add-destination[data-source='web']")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("setting-region")));
        assertThat(driver.findElement(By.id("destination-name")).getAttribute("placeholder")).isEqualTo(SECOND);
        assertThat(driver.findElement(By.id("name-hint")).getText()).contains("Leave it empty to call it " + SECOND);
        screenshot("add-form.png");
        new Select(driver.findElement(By.id("setting-region"))).selectByValue("us-east-1");
        type("setting-stream", "second");
        type("setting-endpoint", kinesis.endpoint().toString());
        type("setting-accessKeyId", "local");
        type("setting-secretAccessKey", CANARY);
        driver.findElement(By.id("save")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(row(SECOND)));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("flash"), "Added " + SECOND));
        assertThat(admin.getJson(AdminClient.destination("web", SECOND)).at("/settings/stream").asText()).isEqualTo("second");

        // 5. Removing its secret is not offered while the access key ID that needs it is set, and says why;
        //    emptying the access key ID offers it.
        driver.findElement(row(SECOND)).findElement(By.cssSelector("a.edit")).click();
        WebElement clear = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("clear-secretAccessKey")));
        wait.until(ExpectedConditions.attributeToBe(clear, "data-checked", "true"));
        assertThat(clear.isEnabled()).isFalse();
        assertThat(driver.findElement(By.id("clear-why-secretAccessKey")).getText())
                .contains("Secret access key is required when “Access key ID” is set").contains("required_with");
        assertThat(driver.findElement(By.id("secret-note-secretAccessKey")).getText())
                .startsWith("A value is saved, encrypted in Sluice's state file");
        page("edit form of the second destination");
        driver.findElement(By.id("setting-accessKeyId")).sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.BACK_SPACE);
        wait.until(ExpectedConditions.elementToBeClickable(By.id("clear-secretAccessKey")));
        assertThat(driver.findElement(By.id("clear-why-secretAccessKey")).isDisplayed()).isFalse();
        driver.findElement(By.linkText("Cancel")).click();

        // ... and the second destination goes again (a click on Remove, confirmed).
        driver.findElement(row(SECOND)).findElement(By.cssSelector("button.remove")).click();
        wait.until(ExpectedConditions.alertIsPresent()).accept();
        wait.until(ExpectedConditions.invisibilityOfElementLocated(row(SECOND)));

        // 6. The memory destination comes from the configuration file: its secret says so, and removing it
        //    (nothing needs it) is offered and works.
        driver.findElement(row(MEMORY)).findElement(By.cssSelector("a.edit")).click();
        WebElement clearKey = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("clear-apiKey")));
        wait.until(ExpectedConditions.attributeToBe(clearKey, "data-checked", "true"));
        assertThat(driver.findElement(By.id("secret-note-apiKey")).getText())
                .startsWith("The value comes from the configuration file").doesNotContain("A value is saved");
        assertThat(driver.findElement(By.id("origin-note")).getText()).contains("comes from the configuration file");
        assertThat(driver.findElement(By.cssSelector("label[for='clear-apiKey']")).getText())
                .isEqualTo("Remove it: do not use the configuration file's value");
        assertThat(label("apiKey")).isEqualTo("API key");
        assertThat(clearKey.isEnabled()).isTrue();
        page("edit form of the configured destination");
        clearKey.click();
        driver.findElement(By.id("save")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("flash"), "Saved " + MEMORY));
        assertThat(admin.getJson(AdminClient.destination("web", MEMORY)).at("/settings/apiKey/set").asBoolean()).isFalse();

        // 7. Switch it off: one state, "off"; events stop arriving at kinesalite.
        driver.findElement(row(NAME)).findElement(By.cssSelector(".switch .slider")).click();
        wait.until(ExpectedConditions.attributeToBe(row(NAME), "data-enabled", "false"));
        assertThat(status(NAME)).isEqualTo("off");
        assertThat(driver.findElement(row(NAME)).findElements(By.cssSelector("td.status .badge"))).hasSize(1);
        assertThat(admin.getJson(AdminClient.destination("web", NAME)).get("enabled").asBoolean()).isFalse();
        track(sluice, "while-off");
        page("overview, switched off");

        // 8. Switch it on again: "healthy" again, and events arrive.
        driver.findElement(row(NAME)).findElement(By.cssSelector(".switch .slider")).click();
        wait.until(ExpectedConditions.attributeToBe(row(NAME), "data-enabled", "true"));
        assertThat(status(NAME)).isEqualTo("healthy");
        track(sluice, "after-on");
        awaitRecord(kinesis, "first", "after-on");
        assertThat(messageIds(kinesis, "first")).containsExactly("first-1", "after-on");
        JsonNode offEntry = debuggerEntry("while-off");
        assertThat(offEntry.get("destinations")).extracting(d -> d.get("name").asText()).doesNotContain(NAME);

        // 9. Change the stream: new events go to the new stream, without a restart.
        driver.findElement(row(NAME)).findElement(By.cssSelector("a.edit")).click();
        WebElement secret = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("setting-secretAccessKey")));
        assertThat(secret.getAttribute("value")).isEmpty();
        assertThat(secret.getAttribute("placeholder")).isEqualTo("set — leave empty to keep");
        assertThat(driver.findElement(By.id("setting-stream")).getAttribute("value")).isEqualTo("first");
        assertThat(new Select(driver.findElement(By.id("setting-region"))).getFirstSelectedOption().getAttribute("value"))
                .isEqualTo("us-east-1");
        wait.until(ExpectedConditions.attributeToBe(By.id("clear-secretAccessKey"), "data-checked", "true"));
        page("edit form");
        screenshot("edit-form.png", "#setting-endpoint");
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
        screenshot("overview.png", "td.num", "td.chart");

        // The debugger: validation, each destination's outcome and the Kinesis record.
        sluice.post("/v1/track", "{\"userId\":\"user_9\",\"messageId\":\"no-event-name\"}", basic(KEY));
        driver.findElement(By.id("nav-debugger")).click();
        assertThat(driver.findElement(By.id("flash")).isDisplayed()).as("the message belonged to the overview").isFalse();
        By outcome = By.cssSelector("li.entry[data-message-id='to-second'] .outcome[data-destination='" + NAME
                + "'][data-status='delivered']");
        WebElement delivered = wait.until(ExpectedConditions.presenceOfElementLocated(outcome));
        Record record = record(kinesis, "second", "to-second").orElseThrow();
        assertThat(delivered.findElement(By.cssSelector(".partition-key")).getText()).isEqualTo("user_1").isEqualTo(record.partitionKey());
        assertThat(delivered.findElement(By.cssSelector(".shard-id")).getText()).startsWith("shardId-");
        assertThat(delivered.findElement(By.cssSelector(".sequence-number")).getText()).isEqualTo(record.sequenceNumber());
        WebElement rejected = wait.until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("li.entry[data-message-id='no-event-name'][data-valid='false']")));
        WebElement reason = rejected.findElement(By.cssSelector("ul.errors li"));
        assertThat(reason.getText()).startsWith("event: ").endsWith("missing_event");
        assertThat(reason.findElement(By.cssSelector("code.rule")).getText()).isEqualTo("missing_event");
        wait.until(ExpectedConditions.attributeContains(By.id("live"), "class", "on"));
        wait.until(d -> d.findElements(By.cssSelector(".outcome:not([data-status='delivered'])")).isEmpty());
        page("debugger");
        screenshot("debugger.png", ".entry .time", ".sequence-number");
        collectResponses();
        titlesGroupsAndOrderFromTheSchema();
    }

    /**
     * The SDK's display keywords (title, x-group, x-order, x-enumLabels), which the Kinesis plugin may
     * not declare yet: the page's own form builder, given a schema that has them.
     */
    @SuppressWarnings("unchecked")
    private void titlesGroupsAndOrderFromTheSchema() {
        Map<String, Object> form = (Map<String, Object>) ((JavascriptExecutor) driver).executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                import('/settings-form.js').then(({ settingsForm }) => {
                  const box = document.createElement('div');
                  settingsForm(box, { properties: {
                    secretKey: { type: 'string', writeOnly: true, 'x-group': 'Credentials', 'x-order': 4 },
                    stream: { type: 'string', title: 'Stream name', 'x-group': 'Connection', 'x-order': 1 },
                    keyId: { type: 'string', title: 'Key ID', 'x-group': 'Credentials', 'x-order': 3 },
                    zone: { type: 'string', enum: ['n-1', 's-2'], 'x-enumLabels': { 'n-1': 'North' }, 'x-group': 'Connection', 'x-order': 2 },
                    maxBatchBytes: { type: 'integer', 'x-order': 9 },
                  }, required: ['stream'] }, null);
                  done({
                    groups: [...box.querySelectorAll('fieldset legend')].map(l => l.textContent),
                    labels: [...box.querySelectorAll('.field > label')].map(l => l.firstChild.textContent),
                    options: [...box.querySelectorAll('#setting-zone option')].map(o => o.value + '=' + o.textContent),
                  });
                });""");
        assertThat((List<String>) form.get("groups")).containsExactly("Connection", "Credentials", "General");
        assertThat((List<String>) form.get("labels")).containsExactly("Stream name", "Zone", "Key ID", "Secret key", "Max batch bytes");
        assertThat((List<String>) form.get("options")).containsExactly("=— none —", "n-1=North (n-1)", "s-2=s-2");
    }

    /** A field's label, without its small print. */
    private String label(String setting) {
        return (String) ((JavascriptExecutor) driver).executeScript(
                "return document.querySelector(\"label[for='setting-\" + arguments[0] + \"']\").firstChild.textContent;", setting);
    }

    /** The one state the overview shows for a destination. */
    private String status(String name) {
        return driver.findElement(row(name)).findElement(By.cssSelector("td.status .badge")).getText();
    }

    private List<String> regionsInTheSchema() throws Exception {
        for (JsonNode type : admin.getJson("/api/types").get("types")) {
            if (type.get("id").asText().equals("kinesis")) {
                List<String> regions = new ArrayList<>();
                type.at("/schema/properties/region/enum").forEach(r -> regions.add(r.asText()));
                assertThat(regions).hasSizeGreaterThan(10);
                return regions;
            }
        }
        throw new AssertionError("no kinesis type");
    }

    /** The API's message in the words the form uses under the field: without "field: ", capitalised. */
    private static String words(JsonNode error) {
        String message = error.get("message").asText().substring(error.get("field").asText().length() + 2);
        return Character.toUpperCase(message.charAt(0)) + message.substring(1);
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

    /** The errors the API gives for the mistakes the test makes first, to compare with what the page shows. */
    private List<JsonNode> apiErrors(Kinesalite kinesis) throws Exception {
        String body = "{\"type\":\"kinesis\",\"name\":\"web/probe\",\"settings\":{\"region\":\"us-east-1\",\"stream\":\"first\","
                + "\"endpoint\":\"" + kinesis.endpoint() + "\",\"maxRecordBytes\":0,\"externalId\":\"partner-42\"}}";
        JsonNode answer = AdminClient.JSON.readTree(admin.bearer("POST", "/api/sources/web/destinations?dryRun=true", body).body());
        List<JsonNode> errors = new ArrayList<>();
        answer.get("errors").forEach(errors::add);
        return errors;
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
        assertThat(source).as(what).doesNotContain(CANARY).doesNotContain(CONFIG_CANARY);
        pages.add(source);
    }

    private void collectResponses() {
        List<String> answers = AdminAnswers.recorded(driver);
        assertThat(answers).hasSizeGreaterThan(5)
                .allSatisfy(a -> assertThat(a).doesNotContain(CANARY).doesNotContain(CONFIG_CANARY));
        assertThat(String.join("", answers)).contains("\"secretAccessKey\":{\"set\":true,\"from\":\"dashboard\"}")
                .contains("\"apiKey\":{\"set\":true,\"from\":\"config\"}");
    }

    /**
     * Takes a screenshot and checks it against the docs' image, leaving out the areas of the elements
     * that {@code volatileParts} select (what changes from run to run: clock times, counts, charts).
     */
    private void screenshot(String name, String... volatileParts) throws Exception {
        JavascriptExecutor js = (JavascriptExecutor) driver;
        // The text cursor blinks: hide it, so a focused field looks the same in every run (through the
        // CSSOM: the pages' Content-Security-Policy refuses a <style> element added by a script).
        js.executeScript("""
                document.documentElement.style.caretColor = 'transparent';
                if (document.activeElement) document.activeElement.style.caretColor = 'transparent';""");
        int scroll = ((Number) js.executeScript("return window.scrollY;")).intValue();
        List<Rectangle> masks = new ArrayList<>();
        for (String selector : volatileParts) {
            List<WebElement> elements = driver.findElements(By.cssSelector(selector));
            assertThat(elements).as("what " + selector + " leaves out of " + name).isNotEmpty();
            for (WebElement element : elements) {
                org.openqa.selenium.Rectangle r = element.getRect();
                masks.add(new Rectangle(r.getX() - 2, r.getY() - scroll - 2, r.getWidth() + 4, r.getHeight() + 4));
            }
        }
        SCREENSHOTS.check(name, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES), masks);
    }
}
