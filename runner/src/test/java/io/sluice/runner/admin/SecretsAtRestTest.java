package io.sluice.runner.admin;

import static io.sluice.runner.testing.AdminClient.JSON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.runner.secrets.SecretBox;
import io.sluice.runner.secrets.SecretKeyException;
import io.sluice.runner.secrets.SecretKeys;
import io.sluice.runner.testing.AdminClient;
import io.sluice.runner.testing.TestSluice;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Secret settings saved through the admin API are stored with AES-256-GCM, and keys can be rotated. */
class SecretsAtRestTest {

    static final String TOKEN = "admin-token-for-secret-tests";
    static final String KEY = "wk-secret-tests";
    static final String CANARY = "canary-secret-at-rest-Zm9v";
    static final String NAME = "web/vault";

    @TempDir
    Path dir;

    TestSluice start(Path keyFile, List<Path> previous) throws Exception {
        String prev = previous.isEmpty() ? "" : ", previousKeyFiles: [" + String.join(", ",
                previous.stream().map(p -> "'" + p + "'").toList()) + "]";
        return TestSluice.start(dir, "admin: {port: 0, token: '" + TOKEN + "', stateFile: '" + dir.resolve("admin-state.json")
                + "', keyFile: '" + keyFile + "'" + prev + "}\n" + TestSluice.memorySource(KEY, "vault-yaml", ""));
    }

    JsonNode storedEnvelope() throws Exception {
        JsonNode state = JSON.readTree(dir.resolve("admin-state.json").toFile());
        for (JsonNode d : state.get("destinations")) {
            if (d.get("name").asText().equals(NAME)) {
                return d.at("/settings/apiKey");
            }
        }
        throw new AssertionError("no stored " + NAME);
    }

    void addVault(TestSluice sluice) throws Exception {
        AdminClient admin = new AdminClient(sluice.server().adminBaseUrl().orElseThrow(), TOKEN);
        assertThat(admin.bearer("POST", "/api/sources/web/destinations", "{\"type\":\"memory\",\"name\":\"" + NAME
                + "\",\"settings\":{\"instance\":\"vault\",\"apiKey\":\"" + CANARY + "\"}}").statusCode()).isEqualTo(201);
    }

    @Test
    void theStateFileHoldsTheSecretOnlyEncryptedAndTheKeyOpensIt() throws Exception {
        Path k1 = AdminClient.keyFile(dir.resolve("k1"));
        try (TestSluice sluice = start(k1, List.of())) {
            addVault(sluice);
        }
        String file = Files.readString(dir.resolve("admin-state.json"));
        byte[] raw = Files.readAllBytes(dir.resolve("admin-state.json"));
        JsonNode envelope = storedEnvelope();

        assertThat(file).doesNotContain(CANARY)
                .doesNotContain(Base64.getEncoder().encodeToString(CANARY.getBytes(StandardCharsets.UTF_8)))
                .contains("\"instance\" : \"vault\"");
        assertThat(new String(raw, StandardCharsets.ISO_8859_1)).doesNotContain(CANARY);
        assertThat(envelope.get("alg").asText()).isEqualTo("A256GCM");
        assertThat(envelope.get("kid").asText()).isEqualTo(SecretKeys.idOf(key(k1)));
        assertThat(Base64.getDecoder().decode(envelope.get("nonce").asText())).hasSize(12);
        assertThat(Base64.getDecoder().decode(envelope.get("ct").asText())).hasSize(CANARY.length() + 16);
        SecretBox box = new SecretBox(SecretKeys.of(key(k1), List.of()));
        assertThat(box.open(envelope, AdminState.context("web", NAME, "apiKey"))).isEqualTo(CANARY);
        if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(dir.resolve("admin-state.json")))).isEqualTo("rw-------");
        }
    }

    @Test
    void eachValueGetsItsOwnNonceAndIsBoundToItsPlace() {
        SecretBox box = new SecretBox(SecretKeys.of(new byte[32], List.of()));
        ObjectNode a = box.seal(CANARY, "here");
        ObjectNode b = box.seal(CANARY, "here");

        assertThat(a.get("nonce")).isNotEqualTo(b.get("nonce"));
        assertThat(a.get("ct")).isNotEqualTo(b.get("ct"));
        assertThatThrownBy(() -> box.open(a, "elsewhere")).isInstanceOf(SecretKeyException.class)
                .hasMessageContaining("cannot be decrypted").hasMessageNotContaining(CANARY);
        ObjectNode tampered = a.deepCopy();
        byte[] ct = Base64.getDecoder().decode(a.get("ct").asText());
        ct[0] ^= 1;
        tampered.put("ct", Base64.getEncoder().encodeToString(ct));
        assertThatThrownBy(() -> box.open(tampered, "here")).isInstanceOf(SecretKeyException.class);
        assertThatThrownBy(() -> new SecretBox(SecretKeys.none()).seal(CANARY, "here"))
                .isInstanceOf(SecretKeyException.class).hasMessageContaining("SLUICE_SECRET_KEY");
    }

    @Test
    void rotationReEncryptsUnderTheNewKeyAtStart() throws Exception {
        Path k1 = AdminClient.keyFile(dir.resolve("k1"));
        Path k2 = AdminClient.keyFile(dir.resolve("k2"));
        try (TestSluice sluice = start(k1, List.of())) {
            addVault(sluice);
        }
        assertThat(storedEnvelope().get("kid").asText()).isEqualTo(SecretKeys.idOf(key(k1)));

        try (TestSluice sluice = start(k2, List.of(k1))) {
            AdminClient admin = new AdminClient(sluice.server().adminBaseUrl().orElseThrow(), TOKEN);
            assertThat(admin.getJson(AdminClient.destination("web", NAME)).at("/settings/apiKey/set").asBoolean()).isTrue();
        }

        JsonNode envelope = storedEnvelope();
        assertThat(envelope.get("kid").asText()).isEqualTo(SecretKeys.idOf(key(k2)));
        assertThat(new SecretBox(SecretKeys.of(key(k2), List.of())).open(envelope, AdminState.context("web", NAME, "apiKey")))
                .isEqualTo(CANARY);
        assertThatThrownBy(() -> new SecretBox(SecretKeys.of(key(k1), List.of()))
                .open(envelope, AdminState.context("web", NAME, "apiKey"))).isInstanceOf(SecretKeyException.class);
        // The previous key is no longer needed.
        try (TestSluice sluice = start(k2, List.of())) {
            assertThat(sluice.server().adminBaseUrl()).isPresent();
        }
    }

    @Test
    void aWrongKeyIsAClearErrorAtStart() throws Exception {
        Path k1 = AdminClient.keyFile(dir.resolve("k1"));
        Path other = AdminClient.keyFile(dir.resolve("other"));
        try (TestSluice sluice = start(k1, List.of())) {
            addVault(sluice);
        }

        assertThatThrownBy(() -> start(other, List.of()))
                .hasMessageContaining(dir.resolve("admin-state.json").toString())
                .hasMessageContaining("was encrypted with the key whose id is " + SecretKeys.idOf(key(k1)))
                .hasMessageContaining(SecretKeys.idOf(key(other)))
                .hasMessageContaining("SLUICE_SECRET_KEY_PREVIOUS")
                .hasMessageNotContaining(CANARY);
        assertThat(Files.readString(dir.resolve("admin-state.json"))).contains(SecretKeys.idOf(key(k1)));
    }

    static byte[] key(Path file) throws Exception {
        return SecretKeys.decode(Files.readString(file), file.toString());
    }
}
