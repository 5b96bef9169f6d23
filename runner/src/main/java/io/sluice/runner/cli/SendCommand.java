package io.sluice.runner.cli;

import com.google.inject.Injector;
import io.sluice.core.intake.Intake;
import io.sluice.runner.config.ConfigLoader;
import io.sluice.runner.config.SluiceConfig;
import io.sluice.runner.deadletter.DeadLetterFile;
import io.sluice.runner.plugins.PluginRegistry;
import io.sluice.runner.replay.ProgressDisplay;
import io.sluice.runner.replay.Replay;
import io.sluice.runner.replay.ReplaySummary;
import io.sluice.runner.routing.Pipeline;
import io.sluice.runner.routing.Source;
import io.sluice.runner.server.SluiceModule;
import io.sluice.runner.server.SluiceServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sluice send}: replays recorded calls through the same pipeline as the server. */
@Command(name = "send", mixinStandardHelpOptions = true,
        description = {"Replays calls from a file (or - for stdin) through the same intake, routing and delivery as "
                + "the server, shows progress on stderr, and prints a summary: sent, rejected with reasons, failed.",
                "The input may hold NDJSON calls (one per line, each with its type), batch objects "
                        + "{\"batch\":[...]}, and dead-letter lines (their call is sent).",
                "Without --config the calls go to a throwaway local Kinesis server: a dry run that shows what "
                        + "would be rejected.",
                "Exit code 0 when every call was delivered, 1 when any was rejected or failed."})
final class SendCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE|-", description = "The calls to send; - reads stdin.")
    String input;

    @Option(names = "--config", paramLabel = "FILE", description = "The YAML configuration.")
    Path config;

    @Option(names = "--source", paramLabel = "NAME", description = "The source to send as (default: the first one).")
    String sourceName;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "5m", converter = DurationConverter.class,
            description = "The longest to wait for buffer room and delivery (default: ${DEFAULT-VALUE}). "
                    + "What is not delivered by then counts as failed and goes to the dead-letter file.")
    Duration timeout;

    @CommandLine.Mixin
    PluginOptions plugins;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        PluginRegistry registry = plugins.registry();
        ConfigLoader loader = new ConfigLoader(registry);
        LocalDefault local = null;
        SluiceConfig loaded;
        if (config != null) {
            loaded = loader.load(config);
        } else {
            err.println("No --config given: sending to a throwaway local Kinesis server (a dry run).");
            err.flush();
            local = LocalDefault.start(loader, 0);
            loaded = local.config();
        }
        try {
            return send(loaded, registry, out, err);
        } finally {
            if (local != null) {
                local.close();
            }
        }
    }

    private int send(SluiceConfig loaded, PluginRegistry registry, PrintWriter out, PrintWriter err)
            throws IOException, InterruptedException {
        Path file = input.equals("-") ? null : Path.of(input);
        if (file != null && !Files.isRegularFile(file)) {
            throw new IllegalArgumentException(input + ": no such file");
        }
        if (file != null && Files.exists(loaded.deadLetter())
                && Files.isSameFile(file, loaded.deadLetter())) {
            // Failures would be appended to the file being read.
            throw new IllegalArgumentException(input + " is the dead-letter file itself; move it aside first "
                    + "(e.g. mv " + input + " retry.ndjson) and send the moved file");
        }
        // send waits for delivery itself and must not pick up (or leave) a running server's spooled events.
        Injector injector = SluiceServer.injector(new SluiceModule(loaded.withoutSpool(), registry));
        Pipeline pipeline = SluiceServer.instance(injector, Pipeline.class);
        DeadLetterFile deadLetters = SluiceServer.instance(injector, DeadLetterFile.class);
        try {
            Source source = sourceName == null ? pipeline.sources().get(0)
                    : pipeline.source(sourceName).orElseThrow(() -> new IllegalArgumentException(
                            "no source named " + sourceName + " in the configuration"));
            Replay replay = new Replay(SluiceServer.instance(injector, Intake.class), pipeline, source, timeout);
            ReplaySummary summary;
            try (InputStream in = file == null ? System.in : Files.newInputStream(file)) {
                ProgressDisplay progress = new ProgressDisplay(err, ProgressDisplay.stderrIsTerminal(),
                        file == null ? -1 : Files.size(file));
                summary = replay.run(in, progress);
            }
            out.println("source:    " + source.name() + " (" + (file == null ? "stdin" : file) + ")");
            summary.print(out);
            if (deadLetters.lines() > 0) {
                out.println("dead-letter file: " + deadLetters.path() + " (" + deadLetters.lines() + " line(s) added)");
            }
            out.flush();
            return summary.clean() ? 0 : 1;
        } finally {
            pipeline.close();
            deadLetters.close();
        }
    }
}
