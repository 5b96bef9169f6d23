package io.sluice.runner.cli;

import io.sluice.runner.config.ConfigException;
import io.sluice.runner.config.ConfigLoader;
import io.sluice.runner.config.SluiceConfig;
import io.sluice.runner.plugins.DestinationStarter;
import io.sluice.runner.plugins.PluginRegistry;
import io.sluice.spi.Destination;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sluice validate --config FILE}: the startup check on its own. */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = {"Checks a configuration file and lists every problem at once, then creates, opens and "
                + "closes each destination, so a configuration that cannot start is not valid.",
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
        PluginRegistry registry = plugins.registry();
        SluiceConfig loaded = new ConfigLoader(registry).load(config);
        List<String> warnings = startEach(loaded, registry);
        int destinations = loaded.sources().stream().mapToInt(s -> s.destinations().size()).sum();
        spec.commandLine().getOut().printf("%s is valid: %d source(s) (%s), %d destination(s) (%s)%n", config,
                loaded.sources().size(),
                loaded.sources().stream().map(SluiceConfig.Source::name).collect(Collectors.joining(", ")),
                destinations,
                loaded.sources().stream().flatMap(s -> s.destinations().stream())
                        .map(SluiceConfig.Destination::name).collect(Collectors.joining(", ")));
        warnings.forEach(w -> spec.commandLine().getOut().println("warning: " + w));
        spec.commandLine().getOut().flush();
        return 0;
    }

    /**
     * Opens and closes every destination, as serve would open it; every failure is listed. One that
     * opens but reports itself unhealthy (a missing stream, say) would start and keep its events
     * until fixed, so it is a warning.
     */
    private static List<String> startEach(SluiceConfig config, PluginRegistry registry) throws ConfigException {
        DestinationStarter starter = DestinationStarter.withoutMetrics();
        List<String> errors = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (SluiceConfig.Source source : config.sources()) {
            for (SluiceConfig.Destination d : source.destinations()) {
                try (Destination destination = starter.start(registry.find(d.type()).orElseThrow(), d.name(), d.settings())) {
                    if (!destination.health().isHealthy()) {
                        warnings.add(d.name() + ": opened, but reports itself unhealthy: " + destination.health().message());
                    }
                } catch (IllegalArgumentException e) {
                    errors.add(e.getMessage());
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
        return warnings;
    }
}
