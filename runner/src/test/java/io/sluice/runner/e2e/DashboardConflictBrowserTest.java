package io.sluice.runner.e2e;

import static io.sluice.runner.testing.AdminClient.destination;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.runner.testing.AdminClient;
import io.sluice.runner.testing.Chromium;
import io.sluice.runner.testing.TestSluice;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * In a real headless Chromium: the dashboard names the node whose counts it shows, and an edit
 * saved after someone else changed the destination is refused with the conflict shown in the form,
 * which then holds the current settings.
 */
class DashboardConflictBrowserTest {

    static final String TOKEN = "admin-token-for-the-conflict-test";
    static final String KEY = "wk-conflict-browser-test";
    static final String NAME = "web/memory";

    @TempDir
    Path dir;

    @Test
    void theDashboardNamesItsNodeAndShowsAnEditConflictWithTheCurrentSettings() throws Exception {
        String yaml = "server: {host: 127.0.0.1, port: 0, shutdownTimeoutMs: 2000, instanceId: browser-node}\n"
                + AdminClient.adminYaml(dir, TOKEN, "") + TestSluice.memorySource(KEY, "conflict-first", "");
        try (TestSluice sluice = TestSluice.start(dir, yaml)) {
            String base = sluice.server().adminBaseUrl().orElseThrow();
            AdminClient admin = new AdminClient(base, TOKEN);
            ChromeDriver driver = Chromium.start();
            try {
                WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(30));
                driver.get(base + "/login");
                driver.findElement(By.id("token")).sendKeys(TOKEN);
                driver.findElement(By.id("login-submit")).click();
                By row = By.cssSelector("tr[data-destination='" + NAME + "']");
                wait.until(ExpectedConditions.presenceOfElementLocated(row));
                wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("node"), "browser-node"));
                assertThat(driver.findElement(By.id("node")).getText())
                        .isEqualTo("Node browser-node: the counts and buffers shown are this node's own.");

                driver.findElement(row).findElement(By.cssSelector("a.edit")).click();
                WebElement instance = wait.until(ExpectedConditions.presenceOfElementLocated(By.id("setting-instance")));
                // Someone else saves first, while this form is open.
                HttpResponse<String> other = admin.bearer("PUT", destination("web", NAME),
                        "{\"settings\":{\"instance\":\"conflict-theirs\"}}");
                assertThat(other.statusCode()).as(other.body()).isEqualTo(200);
                instance.clear();
                instance.sendKeys("conflict-mine");
                driver.findElement(By.id("save")).click();

                WebElement error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("form-error")));
                assertThat(error.getText()).containsIgnoringCase("someone else changed " + NAME + " first")
                        .contains("The form now shows the current settings").contains("conflict");
                assertThat(driver.findElement(By.id("setting-instance")).getAttribute("value")).isEqualTo("conflict-theirs");
                assertThat(sluice.server().pipeline().routes().get(0).definition().settings().string("instance"))
                        .isEqualTo("conflict-theirs");

                // Saving again is a deliberate choice over the current version, and goes through.
                WebElement reloaded = driver.findElement(By.id("setting-instance"));
                reloaded.clear();
                reloaded.sendKeys("conflict-mine");
                driver.findElement(By.id("save")).click();
                wait.until(ExpectedConditions.presenceOfElementLocated(row));
                TestSluice.await("the second save to apply", () -> sluice.server().pipeline().routes().get(0).definition()
                        .settings().string("instance").equals("conflict-mine"));
            } finally {
                driver.quit();
            }
        }
    }
}
