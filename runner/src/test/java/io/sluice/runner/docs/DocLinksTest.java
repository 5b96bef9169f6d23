package io.sluice.runner.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every relative link in the README, the manual and the other pages leads to a file that exists,
 * and a link with {@code #anchor} into a Markdown page to one of its headings (named as GitHub
 * names them).
 */
class DocLinksTest {

    /** {@code [text](target)} and {@code ![alt](target)}, with an optional title. */
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");
    private static final Pattern CODE_SPAN = Pattern.compile("`[^`]*`");
    private static final Pattern HTML_ANCHOR = Pattern.compile("<a\\s+(?:name|id)=\"([^\"]+)\"");

    @Test
    void everyRelativeLinkResolves() throws IOException {
        Path root = Docs.root();
        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (Path page : Docs.pages()) {
            List<String> lines = Docs.prose(Files.readString(page));
            for (int i = 0; i < lines.size(); i++) {
                Matcher link = LINK.matcher(CODE_SPAN.matcher(lines.get(i)).replaceAll(""));
                while (link.find()) {
                    String target = link.group(1);
                    if (target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) {
                        continue; // https:, mailto: and the like: not ours to check here
                    }
                    checked++;
                    String where = root.relativize(page) + ":" + (i + 1) + ": " + target;
                    problem(page, target).ifPresent(p -> broken.add(where + " (" + p + ")"));
                }
            }
        }
        assertThat(checked).as("relative links found").isGreaterThan(50);
        assertThat(broken).as("links that lead nowhere").isEmpty();
    }

    @Test
    void anchorsAreNamedAsGitHubNamesThem() {
        assertThat(anchors("# Sluice\n## The two commands\n### `sluice send`: replay\n## Choices\n## Choices\n"))
                .containsExactlyInAnyOrder("sluice", "the-two-commands", "sluice-send-replay", "choices", "choices-1");
        assertThat(anchors("## How a destination is fed: the delivery engine\n```\n# not a heading\n```\n"))
                .containsExactly("how-a-destination-is-fed-the-delivery-engine");
    }

    private static java.util.Optional<String> problem(Path page, String target) throws IOException {
        int hash = target.indexOf('#');
        String file = hash < 0 ? target : target.substring(0, hash);
        String anchor = hash < 0 ? null : target.substring(hash + 1);
        Path resolved = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
        if (!resolved.startsWith(Docs.root())) {
            return java.util.Optional.of("outside the repository");
        }
        if (!Files.exists(resolved)) {
            return java.util.Optional.of("no such file");
        }
        if (anchor != null && resolved.toString().endsWith(".md")
                && !anchors(Files.readString(resolved)).contains(anchor)) {
            return java.util.Optional.of("no heading with that anchor in " + resolved.getFileName());
        }
        return java.util.Optional.empty();
    }

    /** GitHub's heading ids: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
    static Set<String> anchors(String markdown) {
        Set<String> anchors = new HashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        for (String line : Docs.prose(markdown)) {
            Matcher html = HTML_ANCHOR.matcher(line);
            while (html.find()) {
                anchors.add(html.group(1));
            }
            Matcher heading = Pattern.compile("^#{1,6} +(.*?)\\s*#*\\s*$").matcher(line);
            if (!heading.matches()) {
                continue;
            }
            String slug = heading.group(1).toLowerCase(Locale.ROOT)
                    .replaceAll("[^\\p{L}\\p{N} _-]", "")
                    .replace(' ', '-');
            int n = seen.merge(slug, 1, Integer::sum) - 1;
            anchors.add(n == 0 ? slug : slug + "-" + n);
        }
        return anchors;
    }
}
