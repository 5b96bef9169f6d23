package io.sluice.runner.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.runner.config.AllowedOrigins;
import io.sluice.runner.config.WriteKey;
import io.sluice.runner.routing.Source;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class WriteKeyAuthenticatorTest {

    static String basic(String credentials) {
        return "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void findsTheSourceOfAKeyAmongSeveral() {
        Source web = new Source("web", new WriteKey("key-web"), List.of(), AllowedOrigins.ANY);
        Source ios = new Source("ios", new WriteKey("key-ios"), List.of(), AllowedOrigins.ANY);
        WriteKeyAuthenticator authenticator = new WriteKeyAuthenticator(List.of(web, ios));

        assertThat(authenticator.authenticate("key-ios")).containsSame(ios);
        assertThat(authenticator.authenticate("key-web")).containsSame(web);
        assertThat(authenticator.authenticate("key-we")).isEmpty();
        assertThat(authenticator.authenticate("")).isEmpty();
        assertThat(authenticator.authenticate(null)).isEmpty();
    }

    @Test
    void readsBasicCredentialsAsSegmentSendsThem() {
        assertThat(WriteKeyAuthenticator.parse(null)).isInstanceOf(WriteKeyAuthenticator.Credentials.Absent.class);
        assertThat(WriteKeyAuthenticator.parse(basic("k1:"))).isEqualTo(new WriteKeyAuthenticator.Credentials.Key("k1"));
        assertThat(WriteKeyAuthenticator.parse(basic("k1"))).isEqualTo(new WriteKeyAuthenticator.Credentials.Key("k1"));
        assertThat(WriteKeyAuthenticator.parse("basic " + Base64.getEncoder().encodeToString("k1:".getBytes(StandardCharsets.UTF_8))))
                .isEqualTo(new WriteKeyAuthenticator.Credentials.Key("k1"));
        assertThat(WriteKeyAuthenticator.parse(basic("k1:secret"))).isInstanceOf(WriteKeyAuthenticator.Credentials.Malformed.class);
        assertThat(WriteKeyAuthenticator.parse(basic(":"))).isInstanceOf(WriteKeyAuthenticator.Credentials.Malformed.class);
        assertThat(WriteKeyAuthenticator.parse("Basic !!!")).isInstanceOf(WriteKeyAuthenticator.Credentials.Malformed.class);
        assertThat(WriteKeyAuthenticator.parse("Bearer k1")).isInstanceOf(WriteKeyAuthenticator.Credentials.Malformed.class);
    }

    @Test
    void aWriteKeyNeverPrintsItself() {
        WriteKey key = new WriteKey("do-not-print-me");
        Source source = new Source("web", key, List.of(), AllowedOrigins.ANY);

        assertThat(key.toString()).doesNotContain("do-not-print-me");
        assertThat(source.toString()).doesNotContain("do-not-print-me");
        assertThat(WriteKeyAuthenticator.parse(basic("do-not-print-me:")).toString()).doesNotContain("do-not-print-me");
    }
}
