package io.sluice.runner.cli;

import io.sluice.conformance.Capability;
import io.sluice.conformance.ConformanceReport;
import io.sluice.conformance.ConformanceRunner;
import io.sluice.runner.plugins.Plugin;
import io.sluice.runner.plugins.PluginRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sluice conformance --plugin JAR --settings FILE}: the conformance suite against a dropped-in plugin. */
@Command(name = "conformance", mixinStandardHelpOptions = true,
        description = {"Runs the destination conformance suite against a plugin, loaded as serve loads it, and prints "
                + "a report, one line per check.",
                "What arrived is read back through the plugin's own reader (DestinationProvider.reader); without "
                        + "one, the checks that read the target are skipped. Failures cannot be injected from here: "
                        + "those checks are skipped unless their capability is opted out with --without.",
                "Exit code 0 only when every check ran and passed, 1 otherwise (each SKIP line says why), "
                        + "2 for a usage error."})
final class ConformanceCommand implements Callable<Integer> {

    @Option(names = "--plugin", paramLabel = "JAR|DIR", required = true,
            description = "The plugin jar, or a folder with the plugin jar and its libraries (also in its lib/).")
    Path plugin;

    @Option(names = "--settings", paramLabel = "FILE", required = true,
            description = "A JSON object with settings for a test target, e.g. {\"stream\": \"events\", ...}.")
    Path settings;

    @Option(names = "--provider", paramLabel = "ID", description = "Which provider, when the plugin has several.")
    String provider;

    @Option(names = "--without", paramLabel = "CAPABILITY", split = ",",
            description = "Capabilities the destination does not have: ${COMPLETION-CANDIDATES}.")
    List<Capability> without = List.of();

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "20s", converter = DurationConverter.class,
            description = "How long a check waits for deliveries (default ${DEFAULT-VALUE}).")
    Duration timeout;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Plugin chosen = choose(PluginRegistry.loadOne(this.plugin));
        ConformanceRunner runner = ConformanceRunner.forProvider(chosen.provider())
                .classLoader(chosen.loader())
                .settings(ConformanceRunner.readSettings(settings))
                .timeout(timeout);
        without.forEach(runner::without);
        ConformanceReport report = runner.run();
        spec.commandLine().getOut().print(report.render());
        spec.commandLine().getOut().flush();
        return report.passed() ? 0 : 1;
    }

    private Plugin choose(List<Plugin> found) {
        String ids = found.stream().map(Plugin::id).collect(Collectors.joining(", "));
        if (provider != null) {
            return found.stream().filter(p -> p.id().equals(provider)).findFirst().orElseThrow(() ->
                    new IllegalArgumentException(plugin + " has no provider with id " + provider + "; it has " + ids));
        }
        if (found.size() > 1) {
            throw new IllegalArgumentException(plugin + " has several providers (" + ids + "); name one with --provider");
        }
        return found.get(0);
    }
}
