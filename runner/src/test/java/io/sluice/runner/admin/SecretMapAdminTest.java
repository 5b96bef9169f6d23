package io.sluice.runner.admin;

import static io.sluice.runner.testing.AdminClient.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.runner.testing.AdminClient;
import io.sluice.runner.testing.MemoryDestinationProvider;
import io.sluice.runner.testing.TestSluice;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A map setting whose values are secret, through the admin API: sealed at rest, masked on read, kept on edit. */
class SecretMapAdminTest {

    static final String TOKEN = "admin-token-for-secret-maps";
    static final String HEADER = "Bearer hdr-canary-7c1d2e";
    static final String NAME = "web/hooked";

    @TempDir
    Path dir;

    TestSluice start() throws Exception {
        Path key = AdminClient.keyFile(dir.resolve("k1"));
        return TestSluice.start(dir, "admin: {port: 0, token: '" + TOKEN + "', stateFile: '" + dir.resolve("admin-state.json")
                + "', keyFile: '" + key + "'}\n" + TestSluice.memorySource("wk-maps", "maps-yaml", ""));
    }

    @Test
    void secretMapValuesAreSealedMaskedAndKeptAcrossEditsAndRestarts() throws Exception {
        MemoryDestinationProvider.MemoryDestination before;
        try (TestSluice sluice = start()) {
            AdminClient admin = new AdminClient(sluice.server().adminBaseUrl().orElseThrow(), TOKEN);
            assertThat(admin.bearer("POST", "/api/sources/web/destinations", "{\"type\":\"memory\",\"name\":\"" + NAME
                    + "\",\"settings\":{\"instance\":\"hooked\",\"headers\":{\"Authorization\":\"" + HEADER + "\"}}}")
                    .statusCode()).isEqualTo(201);
            assertThat(MemoryDestinationProvider.instance("hooked").headers).isEqualTo(Map.of("Authorization", HEADER));

            JsonNode shown = admin.getJson(AdminClient.destination("web", NAME));
            assertThat(shown.toString()).doesNotContain("hdr-canary-7c1d2e").contains("\"headers\":{\"set\":true}");

            // An edit that leaves the map out keeps it.
            assertThat(admin.bearer("PUT", AdminClient.destination("web", NAME),
                    "{\"settings\":{\"instance\":\"hooked\",\"mode\":\"deliver\"}}").statusCode()).isEqualTo(200);
            assertThat(MemoryDestinationProvider.instance("hooked").headers).isEqualTo(Map.of("Authorization", HEADER));
            before = MemoryDestinationProvider.instance("hooked");
        }
        String file = Files.readString(dir.resolve("admin-state.json"));
        assertThat(file).doesNotContain("hdr-canary-7c1d2e").contains("\"Authorization\"").contains("A256GCM");

        try (TestSluice again = start()) {
            assertThat(MemoryDestinationProvider.instance("hooked")).as("created again from the state file").isNotSameAs(before);
            assertThat(MemoryDestinationProvider.instance("hooked").headers).isEqualTo(Map.of("Authorization", HEADER));
        }
    }
}
