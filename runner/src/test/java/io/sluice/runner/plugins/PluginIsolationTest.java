package io.sluice.runner.plugins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.runner.testing.PluginJars;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plugins load child-first: a plugin's own libraries win over Sluice's, Sluice's libraries are not
 * lent to a plugin that forgot one, and only the SPI (and the JDK, and slf4j) is shared.
 */
class PluginIsolationTest {

    /** An older jackson-core than Sluice's, copied here by the build (runner/pom.xml). */
    static final Path OTHER_JACKSON = Path.of("target", "test-plugins", "jackson-core-other.jar");

    @TempDir
    Path work;

    @Test
    void aPluginFolderBundlingAnotherJacksonSeesItsOwn() throws Exception {
        assertThat(OTHER_JACKSON).as("copied by maven-dependency-plugin in generate-test-resources").exists();
        Path plugins = Files.createDirectory(work.resolve("plugins"));
        Path folder = Files.createDirectories(plugins.resolve("jackson-user").resolve("lib"));
        Path jar = PluginJars.describing(work, "jackson-user.jar", "org.example.jackson", "JacksonUser", "jackson-user",
                "\"jackson \" + com.fasterxml.jackson.core.json.PackageVersion.VERSION", List.of(OTHER_JACKSON));
        Files.move(jar, plugins.resolve("jackson-user").resolve("jackson-user.jar"));
        Files.copy(OTHER_JACKSON, folder.resolve("jackson-core-other.jar"));

        Plugin plugin = PluginRegistry.load(Optional.of(plugins)).find("jackson-user").orElseThrow();

        String sluices = com.fasterxml.jackson.core.json.PackageVersion.VERSION.toString();
        assertThat(plugin.provider().description()).startsWith("jackson 2.").isNotEqualTo("jackson " + sluices);
        assertThat(plugin.provider().description()).isEqualTo("jackson " + otherVersion());
        assertThat(plugin.origin()).endsWith("jackson-user");
        assertThat(plugin.loader()).isInstanceOf(PluginClassLoader.class);
        // The SPI is shared: the provider is Sluice's DestinationProvider, not a copy.
        assertThat(plugin.provider()).isInstanceOf(io.sluice.spi.DestinationProvider.class);
    }

    @Test
    void aPluginIsNotLentSluicesLibraries() throws Exception {
        Path plugins = Files.createDirectory(work.resolve("plugins"));
        Path jar = PluginJars.describing(work, "forgetful.jar", "org.example.forgetful", "Forgetful", "forgetful",
                "com.fasterxml.jackson.core.json.PackageVersion.VERSION.toString()", List.of(OTHER_JACKSON));
        Files.move(jar, plugins.resolve("forgetful.jar"));

        Plugin plugin = PluginRegistry.load(Optional.of(plugins)).find("forgetful").orElseThrow();

        assertThatThrownBy(() -> plugin.provider().description()).isInstanceOf(NoClassDefFoundError.class)
                .hasMessageContaining("com/fasterxml/jackson/core/json/PackageVersion");
    }

    @Test
    void onlyTheSpiTheJdkAndSlf4jAreShared() throws Exception {
        PluginClassLoader loader = new PluginClassLoader("t", List.of(), getClass().getClassLoader());

        assertThat(loader.loadClass("io.sluice.spi.DestinationProvider")).isSameAs(io.sluice.spi.DestinationProvider.class);
        assertThat(loader.loadClass("org.slf4j.Logger")).isSameAs(org.slf4j.Logger.class);
        assertThat(loader.loadClass("java.util.List")).isSameAs(List.class);
        assertThatThrownBy(() -> loader.loadClass("io.sluice.core.spec.SpecJson")).isInstanceOf(ClassNotFoundException.class);
        assertThatThrownBy(() -> loader.loadClass("com.fasterxml.jackson.databind.ObjectMapper"))
                .isInstanceOf(ClassNotFoundException.class);
        assertThat(loader.getResource("META-INF/services/io.sluice.spi.DestinationProvider"))
                .as("Sluice's own services file").isNull();
    }

    private static String otherVersion() throws Exception {
        try (var jar = new java.util.jar.JarFile(OTHER_JACKSON.toFile())) {
            return jar.getManifest().getMainAttributes().getValue("Bundle-Version");
        }
    }
}
