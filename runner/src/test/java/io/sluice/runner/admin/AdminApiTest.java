package io.sluice.runner.admin;

import static io.sluice.runner.testing.AdminClient.JSON;
import static io.sluice.runner.testing.AdminClient.destination;
import static io.sluice.runner.testing.TestSluice.basic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.runner.plugins.PluginRegistry;
import io.sluice.runner.testing.AdminClient;
import io.sluice.runner.testing.MemoryDestinationProvider;
import io.sluice.runner.testing.TestSluice;
import io.sluice.runner.secrets.SecretBox;
import io.sluice.runner.secrets.SecretKeys;
import io.sluice.spi.settings.Secret;
import io.sluice.spi.settings.SettingError;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin API: adding, editing, switching and removing destinations, live and persisted. */
class AdminApiTest {

    static final String TOKEN = "admin-token-for-api-tests";
    static final String KEY = "wk-api-tests";
    /** Nothing listens there: a Kinesis destination is created and opened, and delivers nothing. */
    static final String NOWHERE = "http://127.0.0.1:9";

    @TempDir
    Path dir;

    TestSluice start(String extraAdmin) throws Exception {
        return TestSluice.start(dir, AdminClient.adminYaml(dir, TOKEN, extraAdmin) + TestSluice.memorySource(KEY, "api-yaml", ""));
    }

    static AdminClient admin(TestSluice sluice) {
        return new AdminClient(sluice.server().adminBaseUrl().orElseThrow(), TOKEN);
    }

    static String kinesis(String name, String region, String secret) {
        return "{\"type\":\"kinesis\",\"name\":\"" + name + "\",\"settings\":{\"region\":\"" + region + "\",\"stream\":\"events\","
                + "\"endpoint\":\"" + NOWHERE + "\",\"accessKeyId\":\"AKIDEXAMPLE\"" + (secret == null ? "" : ",\"secretAccessKey\":\"" + secret + "\"") + "}}";
    }

    @Test
    void addingWithMistakesListsEveryFieldErrorWithItsRuleAsTheSchemaDoes() throws Exception {
        try (TestSluice sluice = start("")) {
            AdminClient admin = admin(sluice);
            String body = "{\"type\":\"kinesis\",\"settings\":{\"region\":\"mars-north-1\",\"stream\":\"no spaces allowed\","
                    + "\"accessKeyId\":\"AKIDEXAMPLE\",\"maxRecordBytes\":\"lots\",\"endpoint\":\"not a uri\",\"colour\":\"blue\"}}";

            HttpResponse<String> response = admin.bearer("POST", "/api/sources/web/destinations", body);

            assertThat(response.statusCode()).isEqualTo(400);
            JsonNode answer = JSON.readTree(response.body());
            assertThat(answer.get("code").asText()).isEqualTo("invalid_settings");
            Map<String, Object> raw = new LinkedHashMap<>();
            JSON.readTree(body).get("settings").properties().forEach(e -> raw.put(e.getKey(), e.getValue().asText()));
            List<SettingError> expected = PluginRegistry.builtIn().find("kinesis").orElseThrow().provider().settingsSchema()
                    .validate(raw);
            assertThat(expected).hasSizeGreaterThanOrEqualTo(6);
            assertThat(answer.get("errors")).extracting(e -> e.get("field").asText(), e -> e.get("rule").asText(),
                    e -> e.get("message").asText())
                    .containsExactlyElementsOf(expected.stream().map(e -> tuple(e.field(), e.rule(), e.message())).toList());
            assertThat(answer.get("errors")).extracting(e -> e.get("field").asText())
                    .contains("region", "stream", "maxRecordBytes", "endpoint", "colour", "secretAccessKey");
            answer.get("errors").forEach(e -> assertThat(e.get("message").asText()).startsWith(e.get("field").asText() + ":"));
            assertThat(admin.getJson("/api/sources").toString()).doesNotContain("web/kinesis");
        }
    }

    @Test
    void theTypeAndNameAreCheckedToo() throws Exception {
        try (TestSluice sluice = start("")) {
            AdminClient admin = admin(sluice);

            JsonNode noType = JSON.readTree(admin.bearer("POST", "/api/sources/web/destinations", "{\"settings\":{}}").body());
            JsonNode badName = JSON.readTree(admin.bearer("POST", "/api/sources/web/destinations",
                    "{\"type\":\"memory\",\"name\":\" bad name\",\"settings\":{\"instance\":\"n\"}}").body());
            JsonNode taken = JSON.readTree(admin.bearer("POST", "/api/sources/web/destinations",
                    "{\"type\":\"memory\",\"name\":\"web/memory\",\"settings\":{\"instance\":\"n\"}}").body());
            HttpResponse<String> noSource = admin.bearer("POST", "/api/sources/ios/destinations", "{\"type\":\"memory\"}");

            assertThat(noType.get("errors")).extracting(e -> e.get("field").asText() + "/" + e.get("rule").asText())
                    .containsExactly("type/required");
            assertThat(badName.get("errors")).extracting(e -> e.get("field").asText() + "/" + e.get("rule").asText())
                    .containsExactly("name/pattern");
            assertThat(taken.get("errors")).extracting(e -> e.get("field").asText() + "/" + e.get("rule").asText())
                    .containsExactly("name/unique");
            assertThat(noSource.statusCode()).isEqualTo(404);
        }
    }

    @Test
    void withoutANameADestinationGetsTheFirstFreeDefaultName() throws Exception {
        try (TestSluice sluice = start("")) {
            AdminClient admin = admin(sluice);
            String unnamed = "{\"type\":\"memory\",\"settings\":{\"instance\":\"api-unnamed\"}}";

            HttpResponse<String> second = admin.bearer("POST", "/api/sources/web/destinations", unnamed);
            HttpResponse<String> third = admin.bearer("POST", "/api/sources/web/destinations", unnamed);

            assertThat(second.statusCode()).as(second.body()).isEqualTo(201);
            assertThat(JSON.readTree(second.body()).get("name").asText()).isEqualTo("web/memory-2");
            assertThat(third.statusCode()).as(third.body()).isEqualTo(201);
            assertThat(JSON.readTree(third.body()).get("name").asText()).isEqualTo("web/memory-3");
            assertThat(admin.getJson("/api/sources").at("/sources/0/destinations")).extracting(d -> d.get("name").asText())
                    .containsExactly("web/memory", "web/memory-2", "web/memory-3");
        }
    }

    @Test
    void aDryRunChecksAChangeAsItWouldBeMadeAndMakesNone() throws Exception {
        try (TestSluice sluice = start("")) {
            AdminClient admin = admin(sluice);
            assertThat(admin.bearer("POST", "/api/sources/web/destinations", kinesis("web/kinesis", "us-east-1", "s1"))
                    .statusCode()).isEqualTo(201);
            String state = Files.readString(dir.resolve("admin-state.json"));

            HttpResponse<String> addOk = admin.bearer("POST", "/api/sources/web/destinations?dryRun=true",
                    "{\"type\":\"kinesis\",\"settings\":{\"region\":\"us-east-1\",\"stream\":\"s\",\"endpoint\":\"" + NOWHERE + "\"}}");
            HttpResponse<String> addBad = admin.bearer("POST", "/api/sources/web/destinations?dryRun=true",
                    "{\"type\":\"kinesis\",\"settings\":{\"region\":\"us-east-1\"}}");
            // Removing the secret while accessKeyId stays is refused; removing both would be accepted.
            HttpResponse<String> clearOne = admin.bearer("PUT", destination("web", "web/kinesis") + "?dryRun=true",
                    "{\"settings\":{\"region\":\"us-east-1\",\"stream\":\"events\",\"endpoint\":\"" + NOWHERE
                            + "\",\"accessKeyId\":\"AKIDEXAMPLE\",\"secretAccessKey\":{\"clear\":true}}}");
            HttpResponse<String> clearBoth = admin.bearer("PUT", destination("web", "web/kinesis") + "?dryRun=true",
                    "{\"settings\":{\"region\":\"us-east-1\",\"stream\":\"events\",\"endpoint\":\"" + NOWHERE
                            + "\",\"secretAccessKey\":{\"clear\":true}}}");

            assertThat(addOk.statusCode()).as(addOk.body()).isEqualTo(200);
            assertThat(JSON.readTree(addOk.body()).get("dryRun").asBoolean()).isTrue();
            assertThat(JSON.readTree(addOk.body()).get("name").asText()).isEqualTo("web/kinesis-2");
            assertThat(addBad.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(addBad.body()).get("errors")).extracting(e -> e.get("field").asText() + "/" + e.get("rule").asText())
                    .containsExactly("stream/required");
            assertThat(clearOne.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(clearOne.body()).get("errors")).extracting(e -> e.get("field").asText() + "/" + e.get("rule").asText())
                    .containsExactly("secretAccessKey/required_with");
            assertThat(clearBoth.statusCode()).as(clearBoth.body()).isEqualTo(200);
            assertThat(admin.getJson("/api/sources").at("/sources/0/destinations")).extracting(d -> d.get("name").asText())
                    .containsExactly("web/memory", "web/kinesis");
            assertThat(admin.getJson(destination("web", "web/kinesis")).at("/settings/secretAccessKey/set").asBoolean()).isTrue();
            assertThat(Files.readString(dir.resolve("admin-state.json"))).isEqualTo(state);
        }
    }

    @Test
    void theRegionIsAChoiceInTheSchema() throws Exception {
        try (TestSluice sluice = start("")) {
            JsonNode kinesis = null;
            for (JsonNode type : admin(sluice).getJson("/api/types").get("types")) {
                if (type.get("id").asText().equals("kinesis")) {
                    kinesis = type;
                }
            }
            List<String> regions = new java.util.ArrayList<>();
            kinesis.at("/schema/properties/region/enum").forEach(r -> regions.add(r.asText()));
            assertThat(regions).contains("us-east-1", "eu-west-1", "ap-southeast-2").doesNotContain("aws-global").isSorted();
        }
    }

    @Test
    void secretsAreWriteOnlyAndAnEditThatLeavesOneOutKeepsIt() throws Exception {
        String canary = "canary-secret-write-only-7Qx";
        try (TestSluice sluice = start("")) {
            AdminClient admin = admin(sluice);

            HttpResponse<String> added = admin.bearer("POST", "/api/sources/web/destinations", kinesis("web/kinesis", "us-east-1", canary));
            assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
            assertThat(JSON.readTree(added.body()).at("/settings/secretAccessKey").toString())
                    .isEqualTo("{\"set\":true,\"from\":\"dashboard\"}");

            // Without the secret, accessKeyId alone would be refused (required_with): it is kept.
            HttpResponse<String> edited = admin.bearer("PUT", destination("web", "web/kinesis"),
                    "{\"settings\":{\"region\":\"eu-west-1\",\"stream\":\"other\",\"endpoint\":\"" + NOWHERE
                            + "\",\"accessKeyId\":\"AKIDEXAMPLE\",\"secretAccessKey\":\"\"}}");
            assertThat(edited.statusCode()).as(edited.body()).isEqualTo(200);
            JsonNode view = JSON.readTree(edited.body());
            assertThat(view.at("/settings/region").asText()).isEqualTo("eu-west-1");
            assertThat(view.at("/settings/stream").asText()).isEqualTo("other");
            assertThat(view.at("/settings/secretAccessKey").toString()).isEqualTo("{\"set\":true,\"from\":\"dashboard\"}");
            assertThat(storedSecret(dir, "web/kinesis", "secretAccessKey")).isEqualTo(canary);

            HttpResponse<String> cleared = admin.bearer("PUT", destination("web", "web/kinesis"),
                    "{\"settings\":{\"region\":\"eu-west-1\",\"stream\":\"other\",\"endpoint\":\"" + NOWHERE
                            + "\",\"secretAccessKey\":{\"clear\":true}}}");
            assertThat(cleared.statusCode()).as(cleared.body()).isEqualTo(200);
            assertThat(JSON.readTree(cleared.body()).at("/settings/secretAccessKey").toString()).isEqualTo("{\"set\":false}");

            admin.get("/api/sources");
            admin.get("/api/types");
            admin.get(destination("web", "web/kinesis"));
            assertThat(admin.bodies()).isNotEmpty().allSatisfy(b -> assertThat(b).doesNotContain(canary));
        }
    }

    @Test
    void withoutAKeySecretsAreRefusedNotStoredInClear() throws Exception {
        try (TestSluice sluice = TestSluice.start(dir, "admin: {port: 0, token: '" + TOKEN + "', stateFile: '"
                + dir.resolve("admin-state.json") + "'}\n" + TestSluice.memorySource(KEY, "api-nokey", ""))) {
            AdminClient admin = admin(sluice);

            HttpResponse<String> refused = admin.bearer("POST", "/api/sources/web/destinations",
                    kinesis("web/kinesis", "us-east-1", "canary-secret-no-key"));
            HttpResponse<String> plain = admin.bearer("POST", "/api/sources/web/destinations",
                    kinesis("web/plain", "us-east-1", null).replace(",\"accessKeyId\":\"AKIDEXAMPLE\"", ""));

            assertThat(refused.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(refused.body()).get("code").asText()).isEqualTo("no_secret_key");
            assertThat(refused.body()).contains("SLUICE_SECRET_KEY");
            assertThat(plain.statusCode()).as(plain.body()).isEqualTo(201);
            assertThat(Files.readString(dir.resolve("admin-state.json"))).doesNotContain("canary-secret").contains("web/plain");
        }
    }

    @Test
    void switchingOffStopsNewEventsAndSwitchingOnResumesThem() throws Exception {
        try (TestSluice sluice = start("")) {
            AdminClient admin = admin(sluice);
            String name = "web/memory";

            HttpResponse<String> off = admin.bearer("PATCH", destination("web", name), "{\"enabled\":false}");
            assertThat(off.statusCode()).as(off.body()).isEqualTo(200);
            assertThat(sluice.post("/v1/track", track("while-off"), basic(KEY)).statusCode()).isEqualTo(200);
            assertThat(admin.bearer("POST", destination("web", name) + "/enable", null).statusCode()).isEqualTo(200);
            assertThat(sluice.post("/v1/track", track("after-on"), basic(KEY)).statusCode()).isEqualTo(200);

            TestSluice.await("the event sent after switching on", () -> delivered("api-yaml").contains("after-on"));
            assertThat(delivered("api-yaml")).containsExactly("after-on");
        }
    }

    @Test
    void aSwitchedOffDestinationThatHoldsNothingNoLongerDegradesHealth() throws Exception {
        try (TestSluice sluice = TestSluice.start(dir, AdminClient.adminYaml(dir, TOKEN, "")
                + TestSluice.memorySource(KEY, "api-sick", ", healthy: false"))) {
            assertThat(sluice.get("/health").statusCode()).isEqualTo(503);

            HttpResponse<String> off = admin(sluice).bearer("PATCH", destination("web", "web/memory"), "{\"enabled\":false}");
            assertThat(off.statusCode()).as(off.body()).isEqualTo(200);

            HttpResponse<String> health = sluice.get("/health");
            assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
            JsonNode entry = AdminClient.JSON.readTree(health.body()).get("destinations").get(0);
            assertThat(entry.get("enabled").asBoolean()).isFalse();
            assertThat(entry.get("status").asText()).as("its own health is still shown").isEqualTo("unhealthy");
        }
    }

    @Test
    void changesPersistAcrossARestart() throws Exception {
        try (TestSluice sluice = start("")) {
            AdminClient admin = admin(sluice);
            assertThat(admin.bearer("POST", "/api/sources/web/destinations",
                    "{\"type\":\"memory\",\"name\":\"web/added\",\"settings\":{\"instance\":\"api-added\",\"apiKey\":\"canary-secret-restart\"}}")
                    .statusCode()).isEqualTo(201);
            assertThat(admin.bearer("POST", destination("web", "web/memory") + "/disable", null).statusCode()).isEqualTo(200);
        }
        try (TestSluice sluice = start("")) {
            AdminClient admin = admin(sluice);
            JsonNode destinations = admin.getJson("/api/sources").at("/sources/0/destinations");

            assertThat(destinations).extracting(d -> d.get("name").asText() + ":" + d.get("enabled").asBoolean() + ":" + d.get("origin").asText())
                    .containsExactly("web/memory:false:config", "web/added:true:dashboard");
            assertThat(destinations.get(1).at("/settings/apiKey").toString()).isEqualTo("{\"set\":true,\"from\":\"dashboard\"}");
            assertThat(storedSecret(dir, "web/added", "apiKey")).isEqualTo("canary-secret-restart");

            assertThat(sluice.post("/v1/track", track("to-the-added-one"), basic(KEY)).statusCode()).isEqualTo(200);
            TestSluice.await("delivery by the destination added before the restart",
                    () -> delivered("api-added").contains("to-the-added-one"));

            assertThat(admin.bearer("DELETE", destination("web", "web/memory"), null).statusCode()).isEqualTo(200);
            assertThat(admin.bearer("DELETE", destination("web", "web/added"), null).statusCode()).isEqualTo(200);
        }
        try (TestSluice sluice = start("")) {
            assertThat(admin(sluice).getJson("/api/sources").at("/sources/0/destinations")).isEmpty();
        }
    }

    @Test
    void aConfiguredSecretLeftUnchangedByAnEditKeepsComingFromTheConfigFile() throws Exception {
        String yaml = "admin: {port: 0, token: '" + TOKEN + "', stateFile: '" + dir.resolve("admin-state.json") + "'}\n"
                + TestSluice.memorySource(KEY, "api-from-file", ", apiKey: canary-secret-in-yaml");
        try (TestSluice sluice = TestSluice.start(dir, yaml)) {
            HttpResponse<String> edited = admin(sluice).bearer("PUT", destination("web", "web/memory"),
                    "{\"settings\":{\"instance\":\"api-from-file\",\"mode\":\"deliver\",\"healthy\":false}}");

            assertThat(edited.statusCode()).as(edited.body()).isEqualTo(200);
            assertThat(JSON.readTree(edited.body()).at("/settings/apiKey").toString()).isEqualTo("{\"set\":true,\"from\":\"config\"}");
            assertThat(JSON.readTree(edited.body()).at("/health/status").asText()).isEqualTo("unhealthy");
        }
        String state = Files.readString(dir.resolve("admin-state.json"));
        assertThat(state).contains("\"fromConfig\" : true").doesNotContain("canary-secret-in-yaml");
        try (TestSluice sluice = TestSluice.start(dir, yaml)) {
            JsonNode view = admin(sluice).getJson(destination("web", "web/memory"));
            assertThat(view.at("/settings/apiKey/set").asBoolean()).isTrue();
            assertThat(view.at("/settings/apiKey/from").asText()).isEqualTo("config");
            assertThat(view.at("/settings/healthy").asBoolean()).isFalse();
            assertThat(view.get("origin").asText()).isEqualTo("config");
            assertThat(view.get("edited").asBoolean()).isTrue();
        }
    }

    @Test
    void aDestinationThatCannotOpenIsRefusedWithoutQuotingItsMessage() throws Exception {
        try (TestSluice sluice = start("")) {
            AdminClient admin = admin(sluice);
            HttpResponse<String> refused = admin.bearer("POST", "/api/sources/web/destinations",
                    "{\"type\":\"memory\",\"name\":\"web/broken\",\"settings\":{\"instance\":\"api-broken\","
                            + "\"mode\":\"fail-open\",\"apiKey\":\"canary-secret-in-open\"}}");

            assertThat(refused.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(refused.body()).get("code").asText()).isEqualTo("cannot_create");
            assertThat(refused.body()).contains("cannot be opened").contains("IllegalStateException")
                    .doesNotContain("canary-secret-in-open");
        }
    }

    @Test
    void eachDestinationCountsWhatHappenedToItsEventsAcrossARebuild() throws Exception {
        try (TestSluice sluice = start("")) {
            AdminClient admin = admin(sluice);
            assertThat(admin.bearer("POST", "/api/sources/web/destinations", "{\"type\":\"memory\",\"name\":\"web/refusing\","
                    + "\"settings\":{\"instance\":\"api-refusing\",\"mode\":\"reject\"}}").statusCode()).isEqualTo(201);
            // Nothing listens at its endpoint: every attempt fails and is retried.
            assertThat(admin.bearer("POST", "/api/sources/web/destinations", kinesis("web/kinesis", "us-east-1", "s"))
                    .statusCode()).isEqualTo(201);
            for (String id : List.of("count-1", "count-2")) {
                assertThat(sluice.post("/v1/track", track(id), basic(KEY)).statusCode()).isEqualTo(200);
            }
            awaitCounts(admin, "web/memory", c -> c.get("delivered").asLong() == 2);
            awaitCounts(admin, "web/refusing", c -> c.get("failed").asLong() == 2);
            awaitCounts(admin, "web/kinesis", c -> c.get("retried").asLong() >= 2);

            assertThat(admin.bearer("PUT", destination("web", "web/memory"),
                    "{\"settings\":{\"instance\":\"api-yaml\"}}").statusCode()).isEqualTo(200);

            JsonNode counts = admin.getJson("/api/sources").at("/sources/0/destinations");
            assertThat(counts).extracting(d -> d.get("name").asText() + " " + d.at("/counts/delivered").asLong()
                    + "/" + d.at("/counts/failed").asLong() + "/" + Math.min(2, d.at("/counts/retried").asLong()))
                    .containsExactly("web/memory 2/0/0", "web/refusing 0/2/0", "web/kinesis 0/0/2");
        }
    }

    /** Waits until the destination's {@code counts} satisfy {@code condition}. */
    static void awaitCounts(AdminClient admin, String name, java.util.function.Predicate<JsonNode> condition) throws Exception {
        long deadline = System.nanoTime() + TestSluice.WAIT.toNanos();
        JsonNode counts = admin.getJson(destination("web", name)).get("counts");
        while (!condition.test(counts)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(name + ": counts still " + counts);
            }
            Thread.sleep(20);
            counts = admin.getJson(destination("web", name)).get("counts");
        }
    }

    @Test
    void unknownDestinationsAndPathsAre404() throws Exception {
        try (TestSluice sluice = start("")) {
            AdminClient admin = admin(sluice);

            assertThat(admin.get(destination("web", "web/none")).statusCode()).isEqualTo(404);
            assertThat(admin.bearer("POST", destination("web", "web/none") + "/enable", null).statusCode()).isEqualTo(404);
            assertThat(admin.get("/api/nothing").statusCode()).isEqualTo(404);
            assertThat(admin.bearer("DELETE", "/api/sources", null).statusCode()).isEqualTo(405);
        }
    }

    static String track(String messageId) {
        return "{\"userId\":\"u-1\",\"event\":\"E\",\"messageId\":\"" + messageId + "\"}";
    }

    static List<String> delivered(String instance) {
        MemoryDestinationProvider.MemoryDestination d = MemoryDestinationProvider.instance(instance);
        return d == null ? List.of() : d.delivered().stream().map(e -> e.messageId()).toList();
    }

    /** Opens the state file with the key in {@code dir}, as the next start will. */
    static String storedSecret(Path dir, String name, String field) throws Exception {
        AdminState state = AdminState.load(dir.resolve("admin-state.json"), box(dir.resolve("secret.key")));
        Object value = state.get(name).orElseThrow().settings().orElseThrow().get(field);
        return ((Secret) value).reveal();
    }

    static SecretBox box(Path keyFile, Path... previous) throws Exception {
        List<byte[]> old = new java.util.ArrayList<>();
        for (Path p : previous) {
            old.add(SecretKeys.decode(Files.readString(p), p.toString()));
        }
        return new SecretBox(SecretKeys.of(SecretKeys.decode(Files.readString(keyFile), keyFile.toString()), old));
    }
}
