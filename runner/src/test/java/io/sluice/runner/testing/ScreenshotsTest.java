package io.sluice.runner.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The screenshot check fails on a changed word, and not on a masked clock or on faint anti-aliasing. */
class ScreenshotsTest {

    static final int WIDTH = 1280;
    static final int HEIGHT = 757;

    @TempDir
    Path dir;

    /** A page of "text": lines of dark 7x10 glyphs, placed by {@code seed}, on white. */
    static BufferedImage page(long seed) {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        fill(image, 0, 0, WIDTH, HEIGHT, 0xffffff);
        Random random = new Random(seed);
        for (int y = 20; y + 10 < HEIGHT; y += 24) {
            for (int x = 20; x + 7 < 800; x += 9) {
                if (random.nextInt(6) > 0) {
                    glyph(image, x, y, random.nextInt());
                }
            }
        }
        return image;
    }

    /** A 7x10 glyph: the bits of {@code shape} say which of its 2x2 cells are ink. */
    static void glyph(BufferedImage image, int x, int y, int shape) {
        for (int cell = 0; cell < 20; cell++) {
            if ((shape >> cell & 1) == 1) {
                fill(image, x + (cell % 4) * 2, y + (cell / 4) * 2, 2, 2, 0x1c2733);
            }
        }
    }

    static void fill(BufferedImage image, int x0, int y0, int w, int h, int rgb) {
        for (int y = y0; y < Math.min(HEIGHT, y0 + h); y++) {
            for (int x = x0; x < Math.min(WIDTH, x0 + w); x++) {
                image.setRGB(x, y, rgb);
            }
        }
    }

    static byte[] png(BufferedImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    Screenshots committed(BufferedImage image) throws IOException {
        Files.createDirectories(dir.resolve("docs"));
        ImageIO.write(image, "png", dir.resolve("docs").resolve("page.png").toFile());
        return new Screenshots(dir.resolve("docs"), dir.resolve("taken"), false);
    }

    @Test
    void theSamePagePasses() throws Exception {
        assertThat(committed(page(1)).check("page.png", png(page(1)), List.of()).differing()).isZero();
        assertThat(dir.resolve("taken").resolve("page.png")).exists();
    }

    @Test
    void aChangedWordFails() throws Exception {
        BufferedImage changed = page(1);
        Random random = new Random(2);
        for (int i = 0; i < 6; i++) { // six letters of one line written differently
            fill(changed, 20 + 9 * i, 44, 7, 10, 0xffffff);
            glyph(changed, 20 + 9 * i, 44, random.nextInt());
        }
        Screenshots screenshots = committed(page(1));

        assertThatThrownBy(() -> screenshots.check("page.png", png(changed), List.of()))
                .isInstanceOf(AssertionError.class).hasMessageContaining("no longer matches the page")
                .hasMessageContaining("-Dsluice.screenshots.update=true");
    }

    @Test
    void aMaskedAreaAndFaintShadesPass() throws Exception {
        BufferedImage changed = page(1);
        fill(changed, 20, 44, 60, 10, 0x0f5e9c); // a clock that moved on, masked below
        for (int y = 0; y < HEIGHT; y += 3) {
            for (int x = 0; x < WIDTH; x += 5) {
                int rgb = changed.getRGB(x, y) & 0xffffff;
                changed.setRGB(x, y, rgb == 0xffffff ? 0xf0f0f0 : rgb); // anti-aliasing that came out a shade different
            }
        }
        Screenshots screenshots = committed(page(1));

        assertThat(screenshots.check("page.png", png(changed), List.of(new Rectangle(18, 42, 64, 14))).differing()).isZero();
        assertThatThrownBy(() -> screenshots.check("page.png", png(changed), List.of())).isInstanceOf(AssertionError.class);
    }

    @Test
    void updatingWritesTheDocsImage() throws Exception {
        committed(page(1));
        new Screenshots(dir.resolve("docs"), dir.resolve("taken"), true).check("page.png", png(page(3)), List.of());

        assertThat(Files.readAllBytes(dir.resolve("docs").resolve("page.png"))).isEqualTo(png(page(3)));
        assertThat(new Screenshots(dir.resolve("docs"), dir.resolve("taken"), false).check("page.png", png(page(3)), List.of())
                .differing()).isZero();
    }

    @Test
    void anotherSizeOrAMissingImageFails() throws Exception {
        Screenshots screenshots = committed(page(1));
        BufferedImage taller = new BufferedImage(WIDTH, HEIGHT + 40, BufferedImage.TYPE_INT_RGB);

        assertThatThrownBy(() -> screenshots.check("page.png", png(taller), List.of())).hasMessageContaining("1280x757");
        assertThatThrownBy(() -> screenshots.check("other.png", png(page(1)), List.of())).hasMessageContaining("is missing");
    }
}
