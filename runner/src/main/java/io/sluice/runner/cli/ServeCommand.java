package io.sluice.runner.cli;

import io.sluice.runner.config.ConfigException;
import io.sluice.runner.config.ConfigLoader;
import io.sluice.runner.config.SluiceConfig;
import io.sluice.runner.plugins.PluginRegistry;
import io.sluice.runner.server.SluiceServer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sluice serve}: the HTTP Tracking API server. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Runs the HTTP Tracking API server.",
                "Without --config it runs the local default: a local Kinesis server (kinesalite, installed on "
                        + "first use), the stream 'events', and a write key made up for this run, printed with a "
                        + "curl line to try it and the tail command to watch events arrive.",
                "SIGTERM (or Ctrl-C) shuts down gracefully: new requests get 503, destinations drain within "
                        + "server.shutdownTimeoutMs, and what is left goes to the dead-letter file.",
                "SIGHUP re-reads --config and applies its destinations' changes live; a file that is not valid "
                        + "changes nothing and every error is logged."})
final class ServeCommand implements Callable<Integer> {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ServeCommand.class);

    @Option(names = "--config", paramLabel = "FILE", description = "The YAML configuration.")
    Path config;

    @Option(names = "--port", paramLabel = "PORT", description = "Listen on this port instead of the configured one (default 8088).")
    Integer port;

    @CommandLine.Mixin
    PluginOptions plugins;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (port != null && (port < 0 || port > 65535)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--port must be between 0 and 65535");
        }
        PrintWriter out = spec.commandLine().getOut();
        PluginRegistry registry = plugins.registry();
        ConfigLoader loader = new ConfigLoader(registry);
        LocalDefault local = null;
        SluiceConfig loaded;
        if (config != null) {
            loaded = loader.load(config);
            if (port != null) {
                loaded = loaded.withPort(port);
            }
        } else {
            out.println("No --config given: starting the local default (a local Kinesis server; the first run installs it with npm)...");
            out.flush();
            local = LocalDefault.start(loader, port != null ? port : SluiceConfig.DEFAULT_PORT);
            loaded = local.config();
        }

        SluiceServer server;
        try {
            server = SluiceServer.start(loaded, registry, Clock.systemUTC());
        } catch (RuntimeException e) {
            if (local != null) {
                local.close();
            }
            throw e;
        }
        if (local != null) {
            local.printBanner(out, server.baseUrl());
        } else {
            out.printf("Sluice is listening at %s; sources: %s%n", server.baseUrl(), loaded.sources().stream()
                    .map(s -> s.name() + " -> " + s.destinations().stream().map(SluiceConfig.Destination::name)
                            .collect(Collectors.joining(", ")))
                    .collect(Collectors.joining("; ")));
            out.flush();
        }
        server.adminBaseUrl().ifPresent(url -> {
            out.printf("Dashboard and admin API at %s/ (log in with the admin token)%n", url);
            out.flush();
        });
        if (config != null) {
            reloadOnHangup(server, loader, config, port);
        }
        awaitTermination(server, local);
        return 0;
    }

    /**
     * SIGHUP re-reads the configuration file and applies the differences live, as a dashboard edit
     * is applied. A file that is not valid changes nothing: every error is logged.
     */
    private static void reloadOnHangup(SluiceServer server, ConfigLoader loader, Path file, Integer port) {
        Object once = new Object();
        sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> {
            Thread reload = new Thread(() -> {
                synchronized (once) {
                    reload(server, loader, file, port);
                }
            }, "sluice-reload");
            reload.setDaemon(true);
            reload.start();
        });
    }

    private static void reload(SluiceServer server, ConfigLoader loader, Path file, Integer port) {
        LOG.info("SIGHUP: reading {} again", file);
        SluiceConfig reread;
        try {
            reread = loader.load(file);
        } catch (ConfigException e) {
            LOG.error("SIGHUP: {} is not valid, so the running configuration stays as it is ({} error(s)):\n  {}", file,
                    e.errors().size(), String.join("\n  ", e.errors()));
            return;
        }
        try {
            List<String> needRestart = server.reload(port != null ? reread.withPort(port) : reread);
            LOG.info("SIGHUP: {} applied{}", file, needRestart.isEmpty() ? ""
                    : "; these changes take a restart: " + String.join(", ", needRestart));
        } catch (RuntimeException e) {
            LOG.error("SIGHUP: applying {} failed: {}", file, e.getMessage());
        }
    }

    /**
     * Blocks until the JVM is asked to stop. The shutdown hook drains gracefully and then halts with
     * status 0: a SIGTERM that was handled in full is a clean exit, not a failure.
     */
    private static void awaitTermination(SluiceServer server, LocalDefault local) throws InterruptedException {
        CountDownLatch forever = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            boolean clean = false;
            try {
                server.shutdown();
                if (local != null) {
                    local.close();
                }
                clean = true;
            } finally {
                System.out.flush();
                System.err.flush();
                Runtime.getRuntime().halt(clean ? 0 : 1);
            }
        }, "sluice-shutdown"));
        forever.await();
    }
}
