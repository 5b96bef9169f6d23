package io.sluice.runner.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The manual's shape: the README stays short, every page under docs/ can be reached from the README
 * by following links, and each page opens with what it is for and the commands a reader runs.
 */
class ManualPagesTest {

    /** Research notes, linked from the manual but not a task of their own. */
    private static final Set<String> NOTES = Set.of("segment-libraries-on-the-wire.md");
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)#\\s]+)[^)]*\\)");

    @Test
    void theReadmeIsAtMostAbout8Kb() {
        assertThat(Docs.read("README.md").getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
                .isLessThanOrEqualTo(8 * 1024);
    }

    @Test
    void everyManualPageIsReachableFromTheReadme() throws IOException {
        Path root = Docs.root();
        Set<Path> reached = new HashSet<>();
        Deque<Path> next = new ArrayDeque<>(List.of(root.resolve("README.md")));
        while (!next.isEmpty()) {
            Path page = next.pop();
            if (!reached.add(page)) {
                continue;
            }
            for (String line : Docs.prose(Files.readString(page))) {
                Matcher link = LINK.matcher(line);
                while (link.find()) {
                    Path target = page.getParent().resolve(link.group(1)).normalize();
                    if (target.toString().endsWith(".md") && target.startsWith(root) && Files.isRegularFile(target)) {
                        next.push(target);
                    }
                }
            }
        }
        List<String> unreachable = new ArrayList<>();
        for (Path page : manual()) {
            if (!reached.contains(page)) {
                unreachable.add(root.relativize(page).toString());
            }
        }
        assertThat(unreachable).as("pages under docs/ that no chain of links from README.md reaches").isEmpty();
    }

    @Test
    void eachPageOpensWithItsPurposeAndItsCommands() throws IOException {
        List<String> without = new ArrayList<>();
        for (Path page : manual()) {
            if (NOTES.contains(page.getFileName().toString())) {
                continue;
            }
            String text = Files.readString(page);
            int firstSection = text.indexOf("\n## ");
            String opening = firstSection < 0 ? text : text.substring(0, firstSection);
            if (!opening.startsWith("# ") || !opening.contains("\nFor ") || !opening.contains("```sh\n")) {
                without.add(Docs.root().relativize(page) + ": before its first section, a '# title', a paragraph"
                        + " starting 'For ...' (whom it serves) and a sh block of the commands");
            }
        }
        assertThat(without).isEmpty();
    }

    private static List<Path> manual() throws IOException {
        try (Stream<Path> pages = Files.walk(Docs.root().resolve("docs"))) {
            return pages.filter(p -> p.toString().endsWith(".md")).sorted().toList();
        }
    }
}
