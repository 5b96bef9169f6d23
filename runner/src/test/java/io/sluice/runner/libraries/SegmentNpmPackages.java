package io.sluice.runner.libraries;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Segment's JavaScript libraries from the npm registry, installed once into
 * {@code $SLUICE_CACHE_DIR} (default {@code ~/.cache/sluice}) the way kinesalite is: into a
 * temporary folder, then moved into place in one step, so parallel builds never see half an install.
 */
final class SegmentNpmPackages {

    static final String ANALYTICS_NEXT = "1.84.3";
    static final String ANALYTICS_NODE = "3.1.0";
    /** Drives Debian's chromium for the analytics.js test; playwright-core downloads no browser. */
    static final String PLAYWRIGHT_CORE = "1.65.1";

    private static Path home;

    private SegmentNpmPackages() {}

    /** The folder whose {@code node_modules} holds both libraries. */
    static synchronized Path home() {
        if (home == null) {
            home = install(cacheDir().resolve("segment-libraries-next-" + ANALYTICS_NEXT + "-node-" + ANALYTICS_NODE + "-playwright-" + PLAYWRIGHT_CORE));
        }
        return home;
    }

    /** analytics.js as a UMD bundle that defines the global {@code AnalyticsNext}. */
    static Path analyticsNextBundle() {
        return home().resolve("node_modules/@segment/analytics-next/dist/umd/index.js");
    }

    private static Path cacheDir() {
        String configured = System.getenv("SLUICE_CACHE_DIR");
        return configured != null && !configured.isBlank()
                ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".cache", "sluice");
    }

    private static Path install(Path target) {
        Path marker = target.resolve("node_modules/@segment/analytics-node/package.json");
        if (Files.isRegularFile(marker) && Files.isRegularFile(target.resolve("node_modules/@segment/analytics-next/package.json"))
                && Files.isRegularFile(target.resolve("node_modules/playwright-core/package.json"))) {
            return target;
        }
        Path staging = null;
        try {
            Files.createDirectories(target.getParent());
            staging = Files.createTempDirectory(target.getParent(), target.getFileName() + ".installing-");
            Files.writeString(staging.resolve("package.json"), "{\"name\":\"sluice-segment-libraries\",\"private\":true}\n");
            Process npm = new ProcessBuilder("npm", "install", "--no-audit", "--no-fund",
                    "@segment/analytics-next@" + ANALYTICS_NEXT, "@segment/analytics-node@" + ANALYTICS_NODE,
                    "playwright-core@" + PLAYWRIGHT_CORE)
                    .directory(staging.toFile()).redirectErrorStream(true)
                    .redirectOutput(staging.resolve("npm.log").toFile()).start();
            if (!npm.waitFor(5, TimeUnit.MINUTES)) {
                npm.destroyForcibly();
                throw new IllegalStateException("npm install did not finish within 5 minutes");
            }
            if (npm.exitValue() != 0) {
                throw new IllegalStateException("npm install failed:\n"
                        + Files.readString(staging.resolve("npm.log"), StandardCharsets.UTF_8));
            }
            try {
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
                staging = null;
            } catch (FileSystemException e) {
                if (!Files.isRegularFile(marker)) { // another build won the race: use its install
                    throw e;
                }
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot install Segment's npm packages into " + target, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while installing Segment's npm packages", e);
        } finally {
            if (staging != null) {
                delete(staging);
            }
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary folder in the cache does no harm
        }
    }
}
