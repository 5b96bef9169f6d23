package io.sluice.runner.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.conformance.ConformanceRunner;
import io.sluice.core.spec.SpecJson;
import io.sluice.runner.config.ConfigLoader;
import io.sluice.runner.config.SluiceConfig;
import io.sluice.runner.plugins.Plugin;
import io.sluice.runner.plugins.PluginRegistry;
import io.sluice.runner.plugins.Redactor;
import io.sluice.spi.read.Arrival;
import io.sluice.spi.read.ArrivalReader;
import io.sluice.spi.read.ReadFrom;
import io.sluice.spi.settings.Settings;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sluice tail}: prints what arrives at a destination's target, for any destination that can read it back. */
@Command(name = "tail", mixinStandardHelpOptions = true,
        description = {"Follows a destination's target and prints one JSON line per message that arrives: what the "
                + "target says about it (Kinesis: shardId, partitionKey, sequenceNumber, approximateArrivalTimestamp, "
                + "encoding), then \"event\", the message as JSON (or \"dataBase64\" when it is not JSON).",
                "Name the destination: --destination NAME --config FILE (as configured), or --type TYPE --settings FILE.",
                "Works for destinations whose plugin offers a reader (DestinationProvider.reader); Kinesis does."})
final class TailCommand implements Callable<Integer> {

    static final class Target {
        @ArgGroup(exclusive = false, multiplicity = "1")
        Configured configured;

        @ArgGroup(exclusive = false, multiplicity = "1")
        Typed typed;
    }

    static final class Configured {
        @Option(names = "--destination", paramLabel = "NAME", required = true,
                description = "A destination's name in the configuration, e.g. web/kinesis.")
        String name;

        @Option(names = "--config", paramLabel = "FILE", required = true, description = "The YAML configuration.")
        Path config;
    }

    static final class Typed {
        @Option(names = "--type", paramLabel = "TYPE", required = true, description = "A destination type, e.g. kinesis.")
        String type;

        @Option(names = "--settings", paramLabel = "FILE", required = true,
                description = "A JSON object with the destination's settings, e.g. {\"stream\": \"events\", ...}.")
        Path settings;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    @Option(names = "--from", paramLabel = "POSITION", defaultValue = "latest",
            description = "earliest (everything the target holds; trim-horizon for Kinesis) or latest (only new "
                    + "messages; default).")
    String from;

    @Option(names = "--max", paramLabel = "N", defaultValue = "0",
            description = "Stop after N messages (default: no limit).")
    long max;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Stop after this long, e.g. 30s. With --max, not reaching N messages by then is an error (exit 1).")
    Duration timeout;

    @CommandLine.Mixin
    PluginOptions plugins;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ReadFrom position = switch (from.toLowerCase(Locale.ROOT)) {
            case "earliest", "trim-horizon", "trim_horizon" -> ReadFrom.EARLIEST;
            case "latest" -> ReadFrom.LATEST;
            default -> throw new CommandLine.ParameterException(spec.commandLine(),
                    "--from must be earliest or latest");
        };
        if (max < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--max must not be negative");
        }
        PluginRegistry registry = plugins.registry();
        Plugin plugin;
        Settings settings;
        String what;
        if (target.configured != null) {
            SluiceConfig config = new ConfigLoader(registry).load(target.configured.config);
            SluiceConfig.Destination d = config.sources().stream().flatMap(s -> s.destinations().stream())
                    .filter(x -> x.name().equals(target.configured.name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no destination named " + target.configured.name
                            + " in " + target.configured.config + "; it has " + config.sources().stream()
                            .flatMap(s -> s.destinations().stream()).map(SluiceConfig.Destination::name).toList()));
            plugin = registry.find(d.type()).orElseThrow();
            settings = d.settings();
            what = d.name() + " (" + d.type() + ")";
        } else {
            plugin = registry.find(target.typed.type).orElseThrow(() -> new IllegalArgumentException(
                    "unknown destination type " + target.typed.type + "; known types are " + registry.ids()));
            settings = plugin.provider().settingsSchema().parse(ConformanceRunner.readSettings(target.typed.settings));
            what = plugin.id();
        }
        long printed = tail(plugin, settings, position, what);
        if (max > 0 && printed < max) {
            spec.commandLine().getErr().printf("sluice tail: %d of %d message(s) arrived before the timeout%n", printed, max);
            spec.commandLine().getErr().flush();
            return 1;
        }
        return 0;
    }

    private long tail(Plugin plugin, Settings settings, ReadFrom position, String what) throws InterruptedException {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(plugin.loader());
        Redactor redactor = Redactor.of(settings);
        PrintWriter out = spec.commandLine().getOut();
        long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
        long printed = 0;
        try (ArrivalReader reader = plugin.provider().reader(settings, position).orElseThrow(() ->
                new IllegalArgumentException("the " + plugin.id() + " destination cannot be read back: its plugin "
                        + "offers no reader (DestinationProvider.reader)"))) {
            while (System.nanoTime() < deadline && (max == 0 || printed < max)) {
                Duration wait = Duration.ofNanos(Math.max(0, Math.min(deadline - System.nanoTime(), 1_000_000_000L)));
                for (Arrival arrival : reader.poll(wait)) {
                    out.println(line(arrival));
                    out.flush();
                    if (++printed == max) {
                        break;
                    }
                }
            }
        } catch (RuntimeException e) {
            throw new IllegalStateException("reading " + what + " failed: " + redactor.describe(e), e);
        } finally {
            thread.setContextClassLoader(previous);
        }
        return printed;
    }

    static String line(Arrival arrival) {
        ObjectNode line = SpecJson.MAPPER.createObjectNode();
        arrival.attributes().forEach(line::put);
        try {
            JsonNode event = SpecJson.MAPPER.readTree(arrival.event());
            if (event != null && (event.isObject() || event.isArray())) {
                line.set("event", event);
                return line.toString();
            }
        } catch (IOException notJson) {
            // shown as bytes below
        }
        line.put("dataBase64", Base64.getEncoder().encodeToString(arrival.event()));
        return line.toString();
    }

}
