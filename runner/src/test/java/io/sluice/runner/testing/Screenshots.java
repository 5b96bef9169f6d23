package io.sluice.runner.testing;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Keeps the documentation's screenshots true to the pages. A test takes a screenshot, writes it to
 * {@code target/screenshots}, and compares it with the committed image in {@code docs/screenshots}:
 * it fails when they differ beyond {@link #TOLERANCE}. With {@code -Dsluice.screenshots.update=true}
 * it writes the committed image instead (after a change to the pages, to refresh the docs).
 *
 * <p>The comparison is made on 4x4-pixel blocks (each colour's mean), so the last shade of a glyph's edge does not
 * count but a changed word does; areas whose content changes from run to run (clock times, counts,
 * sparklines) are masked out by the caller and compared nowhere.
 */
public final class Screenshots {

    /** A block differs when its mean of a colour moves by more than this (of 255). */
    static final int BLOCK_DELTA = 24;
    /** The share of compared blocks that may differ: about two letters on a 1280x757 page (12 blocks). */
    public static final double TOLERANCE = 0.0002;
    static final int BLOCK = 4;

    private final Path committed;
    private final Path taken;
    private final boolean update;

    /**
     * @param committed where the docs' images live
     * @param taken     where this run's go
     * @param update    write the committed images instead of checking them
     */
    public Screenshots(Path committed, Path taken, boolean update) {
        this.committed = committed;
        this.taken = taken;
        this.update = update;
    }

    /**
     * The repository's {@code docs/screenshots} and the module's {@code target/screenshots}, from the
     * module's directory; updating with {@code -Dsluice.screenshots.update=true}.
     */
    public static Screenshots ofRepository() {
        Path module = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        return new Screenshots(module.resolveSibling("docs").resolve("screenshots").normalize(),
                module.resolve("target").resolve("screenshots"), Boolean.getBoolean("sluice.screenshots.update"));
    }

    /** How far a page is from its committed image. */
    public record Difference(int differing, int compared) {
        public double share() {
            return compared == 0 ? 0 : (double) differing / compared;
        }
    }

    /**
     * Writes {@code png} as this run's {@code name} and checks it against the committed one (or, in
     * update mode, replaces the committed one).
     *
     * @throws AssertionError when the page no longer looks like the docs' image
     */
    public Difference check(String name, byte[] png, List<Rectangle> volatileAreas) throws IOException {
        Files.createDirectories(taken);
        Files.write(taken.resolve(name), png);
        Path docs = committed.resolve(name);
        if (update) {
            Files.createDirectories(committed);
            Files.write(docs, png);
            return new Difference(0, 0);
        }
        if (!Files.exists(docs)) {
            throw new AssertionError(docs + " is missing; run the test with -Dsluice.screenshots.update=true to create it");
        }
        BufferedImage expected = ImageIO.read(docs.toFile());
        BufferedImage actual = ImageIO.read(new ByteArrayInputStream(png));
        if (expected.getWidth() != actual.getWidth() || expected.getHeight() != actual.getHeight()) {
            throw new AssertionError(docs + " is " + expected.getWidth() + "x" + expected.getHeight() + " but the page is "
                    + actual.getWidth() + "x" + actual.getHeight() + "; " + refresh());
        }
        Difference difference = compare(expected, actual, volatileAreas);
        System.out.printf("screenshot %s: %d of %d blocks differ from the docs' image%n", name, difference.differing(),
                difference.compared());
        if (difference.share() > TOLERANCE) {
            throw new AssertionError(String.format("%s no longer matches the page: %d of %d blocks differ (%.3f %%, at most"
                            + " %.3f %% may); this run's image is %s. %s", docs, difference.differing(), difference.compared(),
                    100 * difference.share(), 100 * TOLERANCE, taken.resolve(name), refresh()));
        }
        return difference;
    }

    private static String refresh() {
        return "If the page changed on purpose, refresh the docs' images: run the test with -Dsluice.screenshots.update=true";
    }

    /** Blocks (outside {@code masks}) whose mean colour differs by more than {@link #BLOCK_DELTA}. */
    public static Difference compare(BufferedImage expected, BufferedImage actual, List<Rectangle> masks) {
        int width = expected.getWidth();
        int[] a = expected.getRGB(0, 0, width, expected.getHeight(), null, 0, width);
        int[] b = actual.getRGB(0, 0, width, expected.getHeight(), null, 0, width);
        int differing = 0;
        int compared = 0;
        for (int y = 0; y + BLOCK <= expected.getHeight(); y += BLOCK) {
            for (int x = 0; x + BLOCK <= width; x += BLOCK) {
                Rectangle block = new Rectangle(x, y, BLOCK, BLOCK);
                if (masks.stream().anyMatch(m -> m.intersects(block))) {
                    continue;
                }
                compared++;
                if (blockDelta(a, b, width, x, y) > BLOCK_DELTA) {
                    differing++;
                }
            }
        }
        return new Difference(differing, compared);
    }

    /** The largest change of a colour channel's mean over the block at (x0, y0). */
    private static int blockDelta(int[] expected, int[] actual, int width, int x0, int y0) {
        int[] sums = new int[3];
        for (int y = y0; y < y0 + BLOCK; y++) {
            for (int x = x0; x < x0 + BLOCK; x++) {
                int a = expected[y * width + x];
                int b = actual[y * width + x];
                for (int c = 0; c < 3; c++) {
                    sums[c] += ((a >> (8 * c)) & 0xff) - ((b >> (8 * c)) & 0xff);
                }
            }
        }
        int max = 0;
        for (int sum : sums) {
            max = Math.max(max, Math.abs(sum) / (BLOCK * BLOCK));
        }
        return max;
    }
}
