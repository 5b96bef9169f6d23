package io.sluice.runner.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The repository's documentation files, as the doc checks read them. */
final class Docs {

    private Docs() {}

    /** The checkout's root: the first folder up from here that holds {@code mvnw}. */
    static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("mvnw"))) {
            dir = dir.getParent();
        }
        if (dir == null) {
            throw new IllegalStateException("no mvnw above " + Path.of("").toAbsolutePath());
        }
        return dir;
    }

    static String read(String relative) {
        try {
            return Files.readString(root().resolve(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Every page a reader is sent to: the README, the changelog, the manual under docs/, the top-level
     * reports, and each module's README.
     */
    static List<Path> pages() throws IOException {
        Path root = root();
        List<Path> pages = new ArrayList<>();
        try (Stream<Path> top = Files.list(root)) {
            top.filter(p -> p.getFileName().toString().endsWith(".md")).forEach(pages::add);
        }
        try (Stream<Path> modules = Files.list(root)) {
            modules.map(m -> m.resolve("README.md")).filter(Files::isRegularFile).forEach(pages::add);
        }
        try (Stream<Path> manual = Files.walk(root.resolve("docs"))) {
            manual.filter(p -> p.getFileName().toString().endsWith(".md")).forEach(pages::add);
        }
        return pages.stream().sorted().toList();
    }

    /** The lines of a Markdown text outside fenced code blocks; each inside one is replaced by "". */
    static List<String> prose(String markdown) {
        List<String> lines = new ArrayList<>();
        boolean fenced = false;
        for (String line : markdown.split("\n", -1)) {
            if (line.stripLeading().startsWith("```")) {
                fenced = !fenced;
                lines.add("");
            } else {
                lines.add(fenced ? "" : line);
            }
        }
        return lines;
    }

    /** The lines of one section: from the heading {@code heading} to the next heading of its level or above. */
    static List<String> section(String markdown, String heading) {
        List<String> prose = prose(markdown);
        int level = heading.indexOf(' ');
        int start = prose.indexOf(heading);
        if (start < 0) {
            throw new IllegalStateException("no heading '" + heading + "'");
        }
        int end = start + 1;
        while (end < prose.size() && !isHeadingUpTo(prose.get(end), level)) {
            end++;
        }
        return prose.subList(start + 1, end);
    }

    private static boolean isHeadingUpTo(String line, int level) {
        int hashes = 0;
        while (hashes < line.length() && line.charAt(hashes) == '#') {
            hashes++;
        }
        return hashes > 0 && hashes <= level && line.length() > hashes && line.charAt(hashes) == ' ';
    }

    /** The first cell of each table row whose first cell is one code span, e.g. {@code | `server.port` | ...}. */
    static List<String> firstCodeCells(List<String> lines) {
        List<String> cells = new ArrayList<>();
        java.util.regex.Pattern row = java.util.regex.Pattern.compile("^\\|\\s*`([^`]+)`\\s*\\|");
        for (String line : lines) {
            java.util.regex.Matcher m = row.matcher(line);
            if (m.find()) {
                cells.add(m.group(1));
            }
        }
        return cells;
    }
}
