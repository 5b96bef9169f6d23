package io.sluice.runner.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.runner.plugins.PluginRegistry;
import io.sluice.runner.secrets.SecretKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code admin:} section: the dashboard's address, its credential and the keys for stored secrets. */
class AdminConfigTest {

    static final String SOURCES = """
            sources:
              - name: web
                writeKey: wk-web-0123456789abcdef
                destinations:
                  - type: kinesis
                    settings: {region: us-east-1, stream: events}
            """;
    static final String KEY_A = Base64.getEncoder().encodeToString(new byte[32]);
    static final String KEY_B = Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes());

    @TempDir
    Path dir;

    static SluiceConfig load(String yaml, Map<String, String> env) throws ConfigException {
        return new ConfigLoader(PluginRegistry.builtIn(), env::get).read(yaml, "test.yaml");
    }

    static List<String> errors(String yaml, Map<String, String> env) {
        try {
            load(yaml, env);
        } catch (ConfigException e) {
            return e.errors();
        }
        throw new AssertionError("expected the configuration to be refused");
    }

    @Test
    void withoutATokenThereIsNoDashboard() throws Exception {
        SluiceConfig.Admin admin = load(SOURCES, Map.of()).admin();

        assertThat(admin.enabled()).isFalse();
        assertThat(admin.token()).isEmpty();
        assertThat(admin.keys().present()).isFalse();
        assertThat(admin.stateFile()).isEqualTo(Path.of("sluice-data", "admin-state.json"));
    }

    @Test
    void theTokenFromTheEnvironmentOpensItOnLoopbackPort8089() throws Exception {
        SluiceConfig config = load(SOURCES, Map.of("SLUICE_ADMIN_TOKEN", "admin-token-from-env-1", "SLUICE_SECRET_KEY", KEY_A,
                "SLUICE_SECRET_KEY_PREVIOUS", KEY_B));
        SluiceConfig.Admin admin = config.admin();

        assertThat(admin.enabled()).isTrue();
        assertThat(admin.host()).isEqualTo("127.0.0.1");
        assertThat(admin.port()).isEqualTo(8089);
        assertThat(admin.token().orElseThrow().matches("admin-token-from-env-1")).isTrue();
        assertThat(admin.token().orElseThrow().matches("wk-web-0123456789abcdef")).isFalse();
        assertThat(admin.keys().currentId()).hasValue(SecretKeys.idOf(new byte[32]));
        assertThat(admin.keys().ids()).hasSize(2);
        assertThat(admin.sessionTimeout()).isEqualTo(Duration.ofHours(8));
        assertThat(config.toString()).doesNotContain("admin-token-from-env-1").doesNotContain(KEY_A).doesNotContain(KEY_B);
    }

    @Test
    void theSectionSetsAddressTokenFilesAndTimeouts() throws Exception {
        Path key = dir.resolve("k");
        Files.writeString(key, KEY_B + "\n");
        String yaml = "admin: {host: 0.0.0.0, port: 9099, token: '${env:MY_ADMIN}', stateFile: /tmp/x/state.json, keyFile: '"
                + key + "', sessionTimeoutMinutes: 30, rebuildTimeoutMs: 1500}\n" + SOURCES;

        SluiceConfig.Admin admin = load(yaml, Map.of("MY_ADMIN", "admin-token-from-yaml")).admin();

        assertThat(admin.enabled()).isTrue();
        assertThat(admin.host()).isEqualTo("0.0.0.0");
        assertThat(admin.port()).isEqualTo(9099);
        assertThat(admin.token().orElseThrow().matches("admin-token-from-yaml")).isTrue();
        assertThat(admin.stateFile()).isEqualTo(Path.of("/tmp/x/state.json"));
        assertThat(admin.keys().currentId()).hasValue(SecretKeys.idOf("0123456789abcdef0123456789abcdef".getBytes()));
        assertThat(admin.sessionTimeout()).isEqualTo(Duration.ofMinutes(30));
        assertThat(admin.rebuildTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(load("admin: {enabled: false}\n" + SOURCES, Map.of("SLUICE_ADMIN_TOKEN", "admin-token-from-env-1"))
                .admin().enabled()).isFalse();
    }

    @Test
    void aWeakTokenATokenEqualToAWriteKeyAndBadKeysAreErrorsThatShowNoSecret() {
        List<String> shortToken = errors("admin: {token: short}\n" + SOURCES, Map.of());
        List<String> writeKey = errors("admin: {token: wk-web-0123456789abcdef}\n" + SOURCES, Map.of());
        List<String> noToken = errors("admin: {enabled: true}\n" + SOURCES, Map.of());
        List<String> badKey = errors(SOURCES, Map.of("SLUICE_SECRET_KEY", "not-a-key-c2VjcmV0"));
        List<String> onlyPrevious = errors(SOURCES, Map.of("SLUICE_SECRET_KEY_PREVIOUS", KEY_A));
        List<String> missingFile = errors("admin: {keyFile: " + dir.resolve("none") + "}\n" + SOURCES, Map.of());

        assertThat(shortToken).singleElement().asString().startsWith("admin.token: the admin token must be at least 16");
        assertThat(writeKey).singleElement().asString().contains("must differ from every write key")
                .doesNotContain("wk-web-0123456789abcdef");
        assertThat(noToken).singleElement().asString().contains("SLUICE_ADMIN_TOKEN");
        assertThat(badKey).singleElement().asString().startsWith("SLUICE_SECRET_KEY: must be the base64 of 32")
                .doesNotContain("not-a-key");
        assertThat(onlyPrevious).singleElement().asString().contains("previous keys only decrypt");
        assertThat(missingFile).singleElement().asString().startsWith("admin.keyFile: the key file");
        assertThat(errors("admin: {port: 70000, colour: red}\n" + SOURCES, Map.of()))
                .containsExactlyInAnyOrder("admin.port: must be between 0 and 65535 (0 picks a free port)",
                        "admin.colour: unknown field; known fields are enabled, host, keyFile, port, previousKeyFiles, "
                                + "rebuildTimeoutMs, sessionTimeoutMinutes, stateFile, store, storePassword, storeUser, token");
    }

    @Test
    void theSharedStoreTakesAPostgresqlUrlAndItsCredentialsFromTheEnvironment() throws Exception {
        SluiceConfig config = load("server: {instanceId: node-7}\nadmin: {store: 'postgresql://db.internal:5433/sluice?sslmode=require',"
                + " storeUser: sluice, storePassword: '${env:STORE_PW}'}\n" + SOURCES, Map.of("STORE_PW", "store-password-canary"));

        AdminStoreAddress store = config.admin().store().orElseThrow();
        assertThat(store.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:5433/sluice?sslmode=require");
        assertThat(store.user()).hasValue("sluice");
        assertThat(store.password()).hasValue("store-password-canary");
        assertThat(config.server().instanceId()).isEqualTo("node-7");
        assertThat(config.toString()).contains("postgresql://db.internal:5433/sluice").doesNotContain("store-password-canary");
    }

    @Test
    void withoutAStoreTheLocalFileIsUsedAndTheInstanceIdComesFromTheEnvironmentOrTheHost() throws Exception {
        assertThat(load(SOURCES, Map.of()).admin().store()).isEmpty();
        assertThat(load(SOURCES, Map.of("SLUICE_INSTANCE_ID", "from-env")).server().instanceId()).isEqualTo("from-env");
        assertThat(load(SOURCES, Map.of()).server().instanceId()).isNotBlank().matches("[A-Za-z0-9._-]{1,64}");
    }

    @Test
    void aStoreThatIsNotAPostgresqlUrlOrHoldsCredentialsIsRefusedWithEveryError() {
        String problem = "admin.store: must be postgresql://host:port/database";
        assertThat(errors("admin: {store: 'mysql://db/sluice'}\n" + SOURCES, Map.of())).anyMatch(e -> e.startsWith(problem));
        assertThat(errors("admin: {store: 'postgresql://db.internal:5432/'}\n" + SOURCES, Map.of()))
                .anyMatch(e -> e.startsWith(problem));
        List<String> errors = errors("server: {instanceId: 'no spaces'}\nadmin: {store: 'postgresql://u:secret-in-url@db/sluice',"
                + " storeUser: x}\n" + SOURCES, Map.of());
        assertThat(errors).anyMatch(e -> e.startsWith(problem))
                .anyMatch(e -> e.startsWith("server.instanceId: must be 1 to 64 letters"))
                .noneMatch(e -> e.contains("secret-in-url"));
        assertThat(errors("admin: {storePassword: pw}\n" + SOURCES, Map.of()))
                .contains("admin.storeUser / admin.storePassword: only apply with admin.store (postgresql://host:port/db)");
    }
}
