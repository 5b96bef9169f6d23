package io.sluice.runner.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium, driven through Debian's chromedriver (Selenium) or by playwright-core
 * (which takes {@link #installed()} as its {@code executablePath}). On a machine without them, the
 * first use installs both with apt-get (the tests run as root here, as in CI), so the README's test
 * command needs nothing installed by hand.
 */
public final class Chromium {

    public static final Path BROWSER = Path.of("/usr/bin/chromium");
    public static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    /** The pages' font here (fontconfig's sans-serif): the docs' screenshots are taken, and checked, with it. */
    public static final Path FONT = Path.of("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf");

    private Chromium() {}

    /** The flags this closed network needs: without the networking ones Chromium calls Google's hosts. */
    public static final java.util.List<String> FLAGS = java.util.List.of("--no-sandbox", "--disable-gpu",
            "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-dev-shm-usage");

    /** The browser binary, installed first if need be. */
    public static synchronized Path installed() throws IOException, InterruptedException {
        install();
        return BROWSER;
    }

    /** A new headless browser with {@link #FLAGS}; the caller quits it. */
    public static synchronized ChromeDriver start() throws IOException, InterruptedException {
        install();
        ChromeOptions options = new ChromeOptions()
                .setBinary(BROWSER.toFile())
                .addArguments(FLAGS)
                .addArguments("--headless=new", "--window-size=1280,900",
                        "--user-data-dir=" + Files.createTempDirectory("sluice-chromium"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort()
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30)).scriptTimeout(Duration.ofSeconds(30));
        return driver;
    }

    private static void install() throws IOException, InterruptedException {
        if (Files.isExecutable(BROWSER) && Files.isExecutable(DRIVER) && Files.exists(FONT)) {
            return;
        }
        run("apt-get", "update", "-qq");
        run("apt-get", "install", "-y", "-qq", "chromium", "chromium-driver", "fonts-dejavu-core");
        if (!Files.isExecutable(BROWSER) || !Files.isExecutable(DRIVER) || !Files.exists(FONT)) {
            throw new IllegalStateException("apt-get did not install " + BROWSER + ", " + DRIVER + " and " + FONT);
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).inheritIO().start();
        if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " failed; Chromium is needed for the browser tests");
        }
    }
}
