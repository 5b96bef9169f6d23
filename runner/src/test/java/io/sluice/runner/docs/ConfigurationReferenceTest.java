package io.sluice.runner.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.runner.config.ConfigLoader;
import io.sluice.runner.config.SluiceConfig;
import io.sluice.runner.plugins.PluginRegistry;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/** docs/configuration.md names every key the configuration reader accepts, and no other. */
class ConfigurationReferenceTest {

    private static final String PAGE = "docs/configuration.md";

    @Test
    void theReferenceListsExactlyTheKeysTheCodeReads() {
        Set<String> inCode = new TreeSet<>();
        ConfigLoader.KEYS.forEach((path, fields) ->
                fields.forEach(f -> inCode.add(path.isEmpty() ? f : path + "." + f)));
        List<String> documented = Docs.firstCodeCells(Docs.section(Docs.read(PAGE), "## Every key"));

        assertThat(documented).as("keys listed twice in " + PAGE).doesNotHaveDuplicates();
        Set<String> unknown = new TreeSet<>(documented);
        unknown.removeAll(inCode);
        Set<String> missing = new TreeSet<>(inCode);
        missing.removeAll(documented);
        SoftAssertions.assertSoftly(soft -> {
            soft.assertThat(unknown).as("keys in " + PAGE + " that the code does not read").isEmpty();
            soft.assertThat(missing).as("keys the code reads that " + PAGE + " does not list").isEmpty();
        });
    }

    @Test
    void everyMappingOfTheKeysIsItselfAKey() {
        // Guards KEYS itself: a path such as "sources[].destinations[]" must be reachable from the root.
        Set<String> keys = new TreeSet<>();
        ConfigLoader.KEYS.forEach((path, fields) -> fields.forEach(f -> keys.add(path.isEmpty() ? f : path + "." + f)));
        for (String path : ConfigLoader.KEYS.keySet()) {
            if (!path.isEmpty()) {
                assertThat(keys).as("the mapping " + path).contains(path.replaceAll("\\[]$", ""));
            }
        }
    }

    @Test
    void theExampleIsAValidConfiguration() throws Exception {
        String page = Docs.read(PAGE);
        Matcher yaml = Pattern.compile("## An example\\n.*?```yaml\\n(.*?)```", Pattern.DOTALL).matcher(page);
        assertThat(yaml.find()).as("a yaml block under '## An example'").isTrue();
        Map<String, String> env = Map.of("SLUICE_WRITE_KEY", "wk-example-0123456789",
                "AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
        SluiceConfig config = new ConfigLoader(PluginRegistry.builtIn(), env::get).read(yaml.group(1), PAGE);
        assertThat(config.sources()).extracting(SluiceConfig.Source::name).containsExactly("web");
        assertThat(config.sources().get(0).destinations()).extracting(SluiceConfig.Destination::name)
                .containsExactly("web-events");
    }
}
