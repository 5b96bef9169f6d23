package io.sluice.runner.cli;

import io.sluice.conformance.Capability;
import io.sluice.conformance.ConformanceReport;
import io.sluice.conformance.ConformanceRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sluice conformance --plugin JAR --settings FILE}: the conformance suite against a dropped-in plugin. */
@Command(name = "conformance", mixinStandardHelpOptions = true,
        description = {"Runs the destination conformance suite against a plugin jar and prints a report, one line per check.",
                "Without a reader for the plugin's target, the checks that read back what arrived are skipped.",
                "Exit code 0 when no check failed, 1 when one did, 2 for a usage error."})
final class ConformanceCommand implements Callable<Integer> {

    @Option(names = "--plugin", paramLabel = "JAR|DIR", required = true,
            description = "The plugin jar, or a folder with the plugin jar and its libraries.")
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
        ConformanceRunner runner = ConformanceRunner.forPlugin(plugin, Optional.ofNullable(provider))
                .settings(ConformanceRunner.readSettings(settings))
                .timeout(timeout);
        without.forEach(runner::without);
        ConformanceReport report = runner.run();
        spec.commandLine().getOut().print(report.render());
        spec.commandLine().getOut().flush();
        return report.passed() ? 0 : 1;
    }
}
