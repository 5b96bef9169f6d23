package io.sluice.runner.plugins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.runner.testing.PluginJars;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginRegistryTest {

    @TempDir
    Path work;

    @Test
    void builtInProvidersAreFoundOnTheClassPath() {
        PluginRegistry registry = PluginRegistry.builtIn();

        assertThat(registry.find("kinesis")).hasValueSatisfying(p -> {
            assertThat(p.origin()).isEqualTo(Plugin.BUILT_IN);
            assertThat(p.provider().integrationName()).isEqualTo("Amazon Kinesis");
        });
    }

    @Test
    void aJarBuiltByTheTestIsDiscoveredInItsOwnClassLoader() throws Exception {
        Path plugins = Files.createDirectory(work.resolve("plugins"));
        Path jar = PluginJars.provider(work, "tiny.jar", "org.example.tiny", "TinyProvider", "tiny");
        Files.move(jar, plugins.resolve("tiny.jar"));

        PluginRegistry registry = PluginRegistry.load(Optional.of(plugins));

        Plugin tiny = registry.find("tiny").orElseThrow();
        assertThat(tiny.origin()).endsWith("tiny.jar");
        assertThat(tiny.provider().getClass().getClassLoader()).isNotSameAs(PluginRegistry.class.getClassLoader());
        assertThat(tiny.provider().settingsSchema().toJsonSchema()).contains("greeting");
        assertThat(registry.find("kinesis")).isPresent();
    }

    @Test
    void aFolderWithAJarIsOnePluginAndAFolderWithoutOneIsSkipped() throws Exception {
        Path plugins = Files.createDirectory(work.resolve("plugins"));
        Path folder = Files.createDirectories(plugins.resolve("tiny").resolve("lib"));
        Files.move(PluginJars.provider(work, "tiny.jar", "org.example.tiny", "TinyProvider", "tiny"), folder.resolve("tiny.jar"));
        Files.createDirectories(plugins.resolve("notes"));

        PluginRegistry registry = PluginRegistry.load(Optional.of(plugins));

        assertThat(registry.find("tiny")).hasValueSatisfying(p -> assertThat(p.origin()).endsWith("tiny"));
        assertThat(registry.ids()).contains("kinesis", "tiny").doesNotContain("notes");
    }

    @Test
    void aJarWithoutAProviderIsAClearError() throws Exception {
        Path plugins = Files.createDirectory(work.resolve("plugins"));
        Files.move(PluginJars.withoutProvider(work, "empty.jar"), plugins.resolve("empty.jar"));

        assertThatThrownBy(() -> PluginRegistry.load(Optional.of(plugins)))
                .isInstanceOf(PluginException.class)
                .satisfies(e -> assertThat(((PluginException) e).errors()).singleElement().satisfies(line -> assertThat(line)
                        .contains("empty.jar")
                        .contains("no destination provider found")
                        .contains("META-INF/services/io.sluice.spi.DestinationProvider")));
    }

    @Test
    void aServicesEntryNamingAMissingClassIsAClearError() throws Exception {
        Path plugins = Files.createDirectory(work.resolve("plugins"));
        Files.move(PluginJars.withMissingClass(work, "broken.jar"), plugins.resolve("broken.jar"));

        assertThatThrownBy(() -> PluginRegistry.load(Optional.of(plugins)))
                .isInstanceOf(PluginException.class)
                .hasMessageContaining("broken.jar")
                .hasMessageContaining("org.example.Missing");
    }

    @Test
    void theSameTypeTwiceNamesBothJars() throws Exception {
        Path plugins = Files.createDirectory(work.resolve("plugins"));
        Files.move(PluginJars.provider(work, "a.jar", "org.example.a", "AProvider", "twin"), plugins.resolve("a.jar"));
        Files.move(PluginJars.provider(work, "b.jar", "org.example.b", "BProvider", "twin"), plugins.resolve("b.jar"));

        assertThatThrownBy(() -> PluginRegistry.load(Optional.of(plugins)))
                .isInstanceOf(PluginException.class)
                .hasMessageContaining("'twin' is provided twice")
                .hasMessageContaining("a.jar (org.example.a.AProvider)")
                .hasMessageContaining("b.jar (org.example.b.BProvider)");
    }

    @Test
    void aPluginMayNotTakeABuiltInType() throws Exception {
        Path plugins = Files.createDirectory(work.resolve("plugins"));
        Files.move(PluginJars.provider(work, "k.jar", "org.example.k", "KProvider", "kinesis"), plugins.resolve("k.jar"));

        assertThatThrownBy(() -> PluginRegistry.load(Optional.of(plugins)))
                .isInstanceOf(PluginException.class)
                .hasMessageContaining("'kinesis' is provided twice: by built-in");
    }

    @Test
    void aMissingExplicitFolderIsAnError() {
        assertThatThrownBy(() -> PluginRegistry.load(Optional.of(work.resolve("nope"))))
                .isInstanceOf(PluginException.class)
                .hasMessageContaining("nope: the plugins folder does not exist");
    }
}
