package io.sluice.runner.cli;

import io.sluice.runner.config.ConfigException;
import io.sluice.runner.plugins.PluginException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code sluice}: the root command.
 *
 * <p>Subcommands are listed in {@code @Command(subcommands = ...)} below; a new command is one more
 * class in this package.
 */
@Command(name = "sluice",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "A self-hosted, Segment-compatible event router.",
        subcommands = {
                ServeCommand.class,
                SendCommand.class,
                DestinationsCommand.class,
                ValidateCommand.class,
                TailCommand.class,
                ConformanceCommand.class,
                CommandLine.HelpCommand.class
        })
public final class SluiceCommand implements Runnable {

    /** Exit code for a configuration or plugin that cannot be used. */
    public static final int INVALID = 1;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The command line with Sluice's error handling: known errors print as messages, not stack traces. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new SluiceCommand());
        cli.setExecutionExceptionHandler(SluiceCommand::handle);
        return cli;
    }

    private static int handle(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        PrintWriter err = cli.getErr();
        if (e instanceof ConfigException config) {
            err.println("sluice: the configuration is not valid:");
            config.errors().forEach(line -> err.println("  " + line));
        } else if (e instanceof PluginException plugins) {
            err.println("sluice: plugins cannot be loaded:");
            plugins.errors().forEach(line -> err.println("  " + line));
        } else if (e instanceof IllegalArgumentException || e instanceof IllegalStateException
                || e instanceof UncheckedIOException || e instanceof IOException) {
            err.println("sluice " + cli.getCommandName() + ": " + e.getMessage());
        } else {
            err.println("sluice " + cli.getCommandName() + ": unexpected error: " + e);
            e.printStackTrace(err);
        }
        err.flush();
        return INVALID;
    }
}
