package io.sluice.runner.cli;

import io.sluice.runner.plugins.PluginException;
import io.sluice.runner.plugins.PluginRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** {@code --plugins DIR}, shared by every command that needs the destination types. */
final class PluginOptions {

    static final Path DEFAULT_DIR = Path.of("plugins");

    @Option(names = "--plugins", paramLabel = "DIR",
            description = "Folder of plugins: jars, and folders holding a plugin jar and its libraries (also in "
                    + "their lib/); each plugin gets its own class loader (default: ./plugins, skipped when it does not exist).")
    Path pluginsDir;

    PluginRegistry registry() throws PluginException {
        if (pluginsDir != null) {
            return PluginRegistry.load(Optional.of(pluginsDir));
        }
        return PluginRegistry.load(Files.isDirectory(DEFAULT_DIR) ? Optional.of(DEFAULT_DIR) : Optional.empty());
    }
}
