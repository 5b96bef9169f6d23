package io.sluice.runner.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.runner.plugins.PluginRegistry;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code sources[].allowedOrigins} and {@code server.publicUrl}: reading, defaults and every error at once. */
class AllowedOriginsTest {

    static SluiceConfig read(String yaml) throws ConfigException {
        return new ConfigLoader(PluginRegistry.builtIn(), name -> null).read(yaml, "test.yaml");
    }

    static List<String> errors(String yaml) {
        try {
            read(yaml);
        } catch (ConfigException e) {
            return e.errors();
        }
        throw new AssertionError("expected the configuration to be refused");
    }

    static String source(String name, String key, String origins) {
        return "  - name: " + name + "\n    writeKey: " + key + "\n" + origins
                + "    destinations: [{type: memory, settings: {instance: x-" + name + "}}]\n";
    }

    @Test
    void anyOriginByDefaultAndListsAsGiven() throws Exception {
        SluiceConfig config = read("sources:\n"
                + source("a", "k1", "")
                + source("b", "k2", "    allowedOrigins: '*'\n")
                + source("c", "k3", "    allowedOrigins: ['https://Shop.Example', 'http://localhost:3000', 'https://x.example:443']\n")
                + source("d", "k4", "    allowedOrigins: []\n"));

        assertThat(config.sources().get(0).allowedOrigins()).isEqualTo(AllowedOrigins.ANY);
        assertThat(config.sources().get(1).allowedOrigins()).isEqualTo(AllowedOrigins.ANY);
        AllowedOrigins c = config.sources().get(2).allowedOrigins();
        assertThat(c.origins()).containsExactlyInAnyOrder("https://shop.example", "http://localhost:3000", "https://x.example");
        assertThat(c.allows("https://shop.example")).isTrue();
        assertThat(c.allows("https://x.example")).isTrue();
        assertThat(c.allows("http://shop.example")).isFalse();
        assertThat(c.allows("https://shop.example.evil")).isFalse();
        assertThat(c.allows("null")).isFalse();
        assertThat(config.sources().get(3).allowedOrigins().allows("https://shop.example")).isFalse();
        assertThat(config.server().publicUrl()).isEmpty();
    }

    @Test
    void everyBadOriginIsReportedWithItsPath() {
        List<String> errors = errors("sources:\n"
                + source("a", "k1", "    allowedOrigins: ['https://shop.example/path', 'shop.example', 42, '*']\n")
                + source("b", "k2", "    allowedOrigins: {origin: x}\n")
                + source("c", "k3", "    allowedOrigins: 'https://a.example?q'\n"));

        assertThat(errors).anySatisfy(e -> assertThat(e).startsWith("sources[0].allowedOrigins[0]: 'https://shop.example/path' is not an origin"));
        assertThat(errors).anySatisfy(e -> assertThat(e).startsWith("sources[0].allowedOrigins[1]: 'shop.example' is not an origin"));
        assertThat(errors).anySatisfy(e -> assertThat(e).startsWith("sources[1].allowedOrigins: must be \"*\" or a list"));
        assertThat(errors).anySatisfy(e -> assertThat(e).startsWith("sources[2].allowedOrigins: 'https://a.example?q' is not an origin"));
    }

    @Test
    void publicUrlIsAnAbsoluteHttpUrl() throws Exception {
        SluiceConfig config = read("server: {publicUrl: 'https://events.example.com/sluice'}\nsources:\n" + source("a", "k", ""));
        assertThat(config.server().publicUrl()).isEqualTo(Optional.of(URI.create("https://events.example.com/sluice")));
        assertThat(config.withPort(9000).server().publicUrl()).isEqualTo(config.server().publicUrl());

        assertThat(errors("server: {publicUrl: 'events.example.com'}\nsources:\n" + source("a", "k", "")))
                .anySatisfy(e -> assertThat(e).startsWith("server.publicUrl: must be an absolute http or https URL"));
        assertThat(errors("server: {publicUrl: 'ftp://events.example.com'}\nsources:\n" + source("a", "k", "")))
                .anySatisfy(e -> assertThat(e).startsWith("server.publicUrl:"));
    }

    @Test
    void theUnionOfSourcesIsWhatAPreflightAllows() {
        AllowedOrigins shop = AllowedOrigins.of(List.of("https://shop.example"));
        AllowedOrigins blog = AllowedOrigins.of(List.of("https://blog.example"));

        assertThat(AllowedOrigins.union(List.of(shop, blog)).origins())
                .containsExactlyInAnyOrder("https://shop.example", "https://blog.example");
        assertThat(AllowedOrigins.union(List.of(shop, AllowedOrigins.ANY))).isEqualTo(AllowedOrigins.ANY);
        assertThat(AllowedOrigins.union(List.of()).allows("https://shop.example")).isFalse();
    }
}
