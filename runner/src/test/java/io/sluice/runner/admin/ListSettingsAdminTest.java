package io.sluice.runner.admin;

import static io.sluice.runner.testing.AdminClient.JSON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.runner.testing.AdminClient;
import io.sluice.runner.testing.TestSluice;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A list setting through the admin API: sent as a JSON array (or comma text), shown as an array, kept across a restart. */
class ListSettingsAdminTest {

    static final String TOKEN = "admin-token-for-list-settings";
    static final String NAME = "web/hooks";

    @TempDir
    Path dir;

    TestSluice start() throws Exception {
        return TestSluice.start(dir, AdminClient.adminYaml(dir, TOKEN, "") + TestSluice.memorySource("wk-lists", "lists-yaml", ""));
    }

    @Test
    void aListIsSentShownAndKeptAsAList() throws Exception {
        try (TestSluice sluice = start()) {
            AdminClient admin = new AdminClient(sluice.server().adminBaseUrl().orElseThrow(), TOKEN);
            HttpResponse<String> bad = admin.bearer("POST", "/api/sources/web/destinations?dryRun=true", """
                    {"type":"webhook","name":"web/hooks","settings":{"urls":["http://127.0.0.1:9/a","ftp://127.0.0.1/b",7,""]}}""");
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(bad.body()).get("errors"))
                    .extracting(e -> e.get("field").asText(), e -> e.get("rule").asText(), e -> e.get("message").asText().split(":")[0])
                    .containsExactly(tuple("urls", "uri_scheme", "urls[1]"), tuple("urls", "uri", "urls[2]"),
                            tuple("urls", "empty_value", "urls[3]"));

            HttpResponse<String> added = admin.bearer("POST", "/api/sources/web/destinations", """
                    {"type":"webhook","name":"web/hooks","settings":{"urls":["http://127.0.0.1:9/a","http://127.0.0.1:9/b"]}}""");
            assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
            assertThat(admin.getJson(AdminClient.destination("web", NAME)).at("/settings/urls").toString())
                    .isEqualTo("[\"http://127.0.0.1:9/a\",\"http://127.0.0.1:9/b\"]");

            // Comma text, as a 0.2 script may send it, is read as the same kind of list.
            JsonNode current = admin.getJson(AdminClient.destination("web", NAME));
            HttpResponse<String> edited = admin.bearer("PUT", AdminClient.destination("web", NAME), "{\"version\":"
                    + current.get("version") + ",\"settings\":{\"urls\":\"http://127.0.0.1:9/c, http://127.0.0.1:9/d\"}}");
            assertThat(edited.statusCode()).as(edited.body()).isEqualTo(200);
            assertThat(admin.getJson(AdminClient.destination("web", NAME)).at("/settings/urls").toString())
                    .isEqualTo("[\"http://127.0.0.1:9/c\",\"http://127.0.0.1:9/d\"]");
        }
        assertThat(Files.readString(dir.resolve("admin-state.json"))).contains("http://127.0.0.1:9/c");
        try (TestSluice again = start()) {
            AdminClient admin = new AdminClient(again.server().adminBaseUrl().orElseThrow(), TOKEN);
            assertThat(admin.getJson(AdminClient.destination("web", NAME)).at("/settings/urls").toString())
                    .as("read back from the state file").isEqualTo("[\"http://127.0.0.1:9/c\",\"http://127.0.0.1:9/d\"]");
        }
    }
}
