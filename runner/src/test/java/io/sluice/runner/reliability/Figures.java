package io.sluice.runner.reliability;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One test's figures: events accepted (answered 200), delivered (read back from the destination),
 * lost (accepted but never delivered), duplicated (extra copies delivered), and inputs tried. Printed
 * as one {@code RELIABILITY name key=value ...} line, and appended to
 * {@code target/reliability-figures.txt} so RELIABILITY.md can be refreshed from a run.
 */
final class Figures {

    private final String test;
    private final Map<String, Object> values = new LinkedHashMap<>();

    private Figures(String test) {
        this.test = test;
    }

    static Figures of(String test) {
        return new Figures(test);
    }

    /** accepted, delivered, lost and duplicated from the accepted ids and the delivery counts per id. */
    static Figures of(String test, Set<String> accepted, Map<String, Integer> deliveredCounts) {
        long lost = accepted.stream().filter(id -> !deliveredCounts.containsKey(id)).count();
        long duplicated = deliveredCounts.values().stream().mapToLong(n -> n - 1L).sum();
        return of(test)
                .put("accepted", accepted.size())
                .put("delivered", accepted.stream().filter(deliveredCounts::containsKey).count())
                .put("lost", lost)
                .put("duplicated", duplicated);
    }

    /** The figures of a run under {@link LoadGenerator}, with the load's own counts. */
    static Figures of(String test, LoadGenerator load, KinesisConsumer.ReadBack read) {
        return of(test, read.accepted(), read.counts())
                .put("inputs", load.generated())
                .put("requests", load.requests())
                .put("answers", load.statuses())
                .put("connectionErrors", load.connectionErrors());
    }

    Figures put(String key, Object value) {
        values.put(key, value);
        return this;
    }

    long get(String key) {
        return ((Number) values.get(key)).longValue();
    }

    String line() {
        return "RELIABILITY " + test + " " + values.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
    }

    /** Prints the line and keeps it in {@code target/reliability-figures.txt}. */
    Figures print() {
        String line = line();
        System.out.println(line);
        try {
            Path target = Path.of("target");
            if (Files.isDirectory(target)) {
                Files.writeString(target.resolve("reliability-figures.txt"), line + "\n", StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
        } catch (IOException e) {
            System.out.println("(could not keep the figures: " + e + ")");
        }
        return this;
    }

    static int intProperty(String name, int fallback) {
        String value = System.getProperty(name);
        return value == null || value.isBlank() ? fallback : Integer.parseInt(value.trim());
    }
}
