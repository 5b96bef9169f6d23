package io.sluice.runner.cli;

import io.sluice.runner.config.ConfigLoader;
import io.sluice.runner.config.SluiceConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sluice validate --config FILE}: the startup check on its own. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = {"Checks a configuration file and lists every problem at once.",
                "Exit code 0 when it is valid, 1 when it is not, 2 for a usage error."})
final class ValidateCommand implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE", required = true, description = "The YAML configuration to check.")
    Path config;

    @CommandLine.Mixin
    PluginOptions plugins;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        SluiceConfig loaded = new ConfigLoader(plugins.registry()).load(config);
        int destinations = loaded.sources().stream().mapToInt(s -> s.destinations().size()).sum();
        spec.commandLine().getOut().printf("%s is valid: %d source(s) (%s), %d destination(s) (%s)%n", config,
                loaded.sources().size(),
                loaded.sources().stream().map(SluiceConfig.Source::name).collect(Collectors.joining(", ")),
                destinations,
                loaded.sources().stream().flatMap(s -> s.destinations().stream())
                        .map(SluiceConfig.Destination::name).collect(Collectors.joining(", ")));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
