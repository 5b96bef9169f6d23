package io.sluice.runner.admin;

import static io.sluice.runner.testing.AdminClient.destination;
import static io.sluice.runner.testing.TestSluice.basic;
import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.runner.config.ConfigLoader;
import io.sluice.runner.config.SluiceConfig;
import io.sluice.runner.plugins.PluginRegistry;
import io.sluice.runner.routing.Route;
import io.sluice.runner.testing.AdminClient;
import io.sluice.runner.testing.MemoryDestinationProvider;
import io.sluice.runner.testing.TestSluice;
import io.sluice.spi.event.Event;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A re-read configuration file (what SIGHUP does) is applied by difference, like a dashboard edit:
 * destinations added and removed, settings changed, the dashboard's stored changes still on top,
 * untouched destinations left alone; what only a restart can change is reported.
 */
class ConfigReloadTest {

    static final String TOKEN = "admin-token-for-reload-tests";
    static final String KEY = "wk-reload-tests";

    @TempDir
    Path dir;

    String yaml(String writeKey, String destinations) throws Exception {
        return "server: {host: 127.0.0.1, port: 0, shutdownTimeoutMs: 2000, instanceId: reload}\n"
                + "deadLetter: {path: '" + dir.resolve("dead.ndjson") + "'}\n"
                + "spool: {path: '" + dir.resolve("spool.db") + "'}\n"
                + AdminClient.adminYaml(dir, TOKEN, "")
                + "sources:\n  - name: web\n    writeKey: " + writeKey + "\n    destinations:\n" + destinations;
    }

    static String memory(String name, String instance) {
        return "      - {type: memory, name: " + name + ", settings: {instance: " + instance + "}}\n";
    }

    static Route route(TestSluice sluice, String name) {
        return sluice.server().pipeline().routes().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }

    static List<String> names(TestSluice sluice) {
        return sluice.server().pipeline().routes().stream().map(Route::name).toList();
    }

    static List<String> delivered(String instance) {
        return MemoryDestinationProvider.deliveredTo(instance).stream().map(Event::messageId).toList();
    }

    @Test
    void aReloadAppliesTheFilesDifferencesUnderTheStoredChangesAndReportsWhatTakesARestart() throws Exception {
        try (TestSluice sluice = TestSluice.start(dir, yaml(KEY, memory("edited", "reload-edited-file")
                + memory("kept", "reload-kept") + memory("dropped", "reload-dropped")))) {
            AdminClient admin = new AdminClient(sluice.server().adminBaseUrl().orElseThrow(), TOKEN);
            HttpResponse<String> edit = admin.bearer("PUT", destination("web", "edited"),
                    "{\"settings\":{\"instance\":\"reload-edited-dashboard\"}}");
            assertThat(edit.statusCode()).as(edit.body()).isEqualTo(200);
            Route keptBefore = route(sluice, "kept");

            SluiceConfig file = new ConfigLoader(PluginRegistry.builtIn()).read(yaml("wk-reload-tests-changed",
                    memory("edited", "reload-edited-file-2") + memory("kept", "reload-kept")
                            + memory("added", "reload-added")), "reloaded.yaml");
            List<String> needRestart = sluice.server().reload(file);

            assertThat(names(sluice)).containsExactlyInAnyOrder("edited", "kept", "added");
            assertThat(route(sluice, "edited").definition().settings().string("instance"))
                    .as("the dashboard's change still wins over the file").isEqualTo("reload-edited-dashboard");
            assertThat(route(sluice, "kept").engine()).as("an unchanged destination is left alone")
                    .isSameAs(keptBefore.engine());
            assertThat(needRestart).containsExactly("sources: the write key or allowed origins of web");

            assertThat(sluice.post("/v1/track", "{\"userId\":\"u\",\"event\":\"E\",\"messageId\":\"after-reload\"}",
                    basic(KEY)).statusCode()).as("the running write key until a restart").isEqualTo(200);
            TestSluice.await("the added destination to deliver", () -> delivered("reload-added").contains("after-reload"));
            assertThat(delivered("reload-dropped")).doesNotContain("after-reload");
            assertThat(delivered("reload-edited-dashboard")).contains("after-reload");
        }
    }
}
