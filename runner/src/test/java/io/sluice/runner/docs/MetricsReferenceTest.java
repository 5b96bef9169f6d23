package io.sluice.runner.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.runner.testing.MemoryDestinationProvider;
import io.sluice.runner.testing.TestSluice;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The metrics docs/operating.md lists, with their labels, are exactly the ones {@code /metrics} serves. */
class MetricsReferenceTest {

    private static final String PAGE = "docs/operating.md";
    private static final Pattern TYPE = Pattern.compile("^# TYPE (\\S+) (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"");

    @TempDir
    Path dir;

    @Test
    void theListedMetricsAreTheServedOnes() throws Exception {
        Map<String, TreeSet<String>> documented = new TreeMap<>();
        for (String cell : Docs.firstCodeCells(Docs.section(Docs.read(PAGE), "## Health and metrics"))) {
            Matcher m = Pattern.compile("^(sluice_\\w+)(?:\\{([^}]*)})?$").matcher(cell);
            if (m.matches()) {
                TreeSet<String> labels = new TreeSet<>();
                if (m.group(2) != null) {
                    labels.addAll(List.of(m.group(2).split(",")));
                }
                assertThat(documented.put(m.group(1), labels)).as("listed twice: " + m.group(1)).isNull();
            }
        }

        String metrics;
        try (TestSluice sluice = TestSluice.start(dir, TestSluice.memorySource("metrics-doc-key", "metrics-doc", ""))) {
            // One accepted and delivered event and one refused call, so every labelled series has a sample.
            assertThat(sluice.post("/v1/track", "{\"userId\":\"u1\",\"event\":\"Docs Checked\"}",
                    TestSluice.basic("metrics-doc-key")).statusCode()).isEqualTo(200);
            assertThat(sluice.post("/v1/track", "{\"userId\":\"u1\"}", TestSluice.basic("metrics-doc-key")).statusCode())
                    .isEqualTo(400);
            TestSluice.await("the delivery", () -> MemoryDestinationProvider.deliveredTo("metrics-doc").size() == 1);
            TestSluice.await("the delivered counter", () -> {
                try {
                    return sluice.get("/metrics").body().contains("sluice_events_delivered_total{destination=\"web/memory\"} 1");
                } catch (Exception e) {
                    return false;
                }
            });
            metrics = sluice.get("/metrics").body();
        }

        Map<String, TreeSet<String>> served = served(metrics);
        Map<String, TreeSet<String>> unlisted = new TreeMap<>(served);
        unlisted.keySet().removeAll(documented.keySet());
        Map<String, TreeSet<String>> notServed = new TreeMap<>(documented);
        notServed.keySet().removeAll(served.keySet());
        SoftAssertions.assertSoftly(soft -> {
            soft.assertThat(unlisted).as("metrics /metrics serves that " + PAGE + " does not list").isEmpty();
            soft.assertThat(notServed).as("metrics " + PAGE + " lists that /metrics does not serve").isEmpty();
            served.forEach((name, labels) -> soft.assertThat(documented.getOrDefault(name, labels))
                    .as("the labels of " + name + " in " + PAGE + " (left: listed)").isEqualTo(labels));
        });
    }

    @Test
    void servedNamesAreReadAsTheDocsWriteThem() {
        String text = """
                # HELP sluice_a_total A counter
                # TYPE sluice_a_total counter
                sluice_a_total{source="web"} 1.0
                # TYPE sluice_b counter
                sluice_b_total{destination="d"} 2.0
                # TYPE sluice_c_seconds histogram
                sluice_c_seconds_bucket{destination="d",le="0.1"} 1
                sluice_c_seconds_count{destination="d"} 1
                # TYPE sluice_i info
                sluice_i_info{instance_id="n1"} 1
                # TYPE sluice_g gauge
                sluice_g 3
                """;
        assertThat(served(text)).isEqualTo(Map.of(
                "sluice_a_total", new TreeSet<>(List.of("source")),
                "sluice_b_total", new TreeSet<>(List.of("destination")),
                "sluice_c_seconds", new TreeSet<>(List.of("destination")),
                "sluice_i_info", new TreeSet<>(List.of("instance_id")),
                "sluice_g", new TreeSet<String>()));
    }

    /**
     * Each family as its samples are named (a counter with {@code _total}, an info series with
     * {@code _info}, a histogram by its base name), with the labels of its samples but {@code le}.
     */
    static Map<String, TreeSet<String>> served(String text) {
        Map<String, TreeSet<String>> families = new TreeMap<>();
        String current = null;
        for (String line : text.split("\n")) {
            Matcher type = TYPE.matcher(line);
            if (type.matches()) {
                String name = type.group(1);
                switch (type.group(2)) {
                    case "counter" -> name = name.endsWith("_total") ? name : name + "_total";
                    case "info" -> name = name.endsWith("_info") ? name : name + "_info";
                    default -> { }
                }
                current = name;
                families.put(current, new TreeSet<>());
            } else if (!line.startsWith("#") && !line.isBlank() && current != null) {
                int brace = line.indexOf('{');
                if (brace >= 0) {
                    Matcher label = LABEL.matcher(line.substring(brace, line.lastIndexOf('}') + 1));
                    while (label.find()) {
                        if (!label.group(1).equals("le")) {
                            families.get(current).add(label.group(1));
                        }
                    }
                }
            }
        }
        return families;
    }
}
