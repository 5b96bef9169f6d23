package io.sluice.runner.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.spec.SpecJson;
import io.sluice.runner.plugins.Plugin;
import io.sluice.runner.plugins.PluginRegistry;
import io.sluice.spi.DestinationProvider;
import io.sluice.spi.settings.Setting;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sluice destinations}: the discovered plugins and their settings. */
@Command(name = "destinations", mixinStandardHelpOptions = true,
        description = "Lists the destination types Sluice found (built in and in the plugins folder) and their settings.")
final class DestinationsCommand implements Callable<Integer> {

    @Option(names = "--json", description = "Print JSON: each type with its settings as a JSON Schema (2020-12).")
    boolean json;

    @CommandLine.Mixin
    PluginOptions plugins;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PluginRegistry registry = plugins.registry();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ArrayNode list = SpecJson.MAPPER.createArrayNode();
            for (Plugin plugin : registry.all()) {
                DestinationProvider p = plugin.provider();
                ObjectNode entry = list.addObject()
                        .put("type", p.id())
                        .put("integrationName", p.integrationName())
                        .put("description", p.description())
                        .put("origin", plugin.origin());
                entry.set("settingsSchema", SpecJson.MAPPER.readTree(p.settingsSchema().toJsonSchema()));
            }
            out.println(SpecJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(list));
        } else {
            for (Plugin plugin : registry.all()) {
                text(out, plugin);
            }
            if (registry.all().isEmpty()) {
                out.println("no destination types found");
            }
        }
        out.flush();
        return 0;
    }

    private static void text(PrintWriter out, Plugin plugin) {
        DestinationProvider p = plugin.provider();
        out.printf("%s  (integrations key \"%s\", %s)%n", p.id(), p.integrationName(), plugin.origin());
        if (!p.description().isBlank()) {
            out.println("  " + p.description());
        }
        out.println("  settings:");
        int width = p.settingsSchema().settings().stream().mapToInt(s -> s.name().length()).max().orElse(4);
        for (Setting s : p.settingsSchema().settings()) {
            String presence = switch (s.presence()) {
                case REQUIRED -> "required";
                case OPTIONAL -> "optional";
                case DEFAULTED -> "default " + s.defaultValue().map(Object::toString).orElse("");
            };
            String type = s.type().name().toLowerCase(Locale.ROOT)
                    + s.elementType().map(e -> " of " + e.name().toLowerCase(Locale.ROOT)).orElse("")
                    + (s.allowedValues().isEmpty() ? "" : " " + String.join("|", s.allowedValues()));
            out.printf("    %-" + width + "s  %-16s %-18s %s%n", s.name(), type, presence, s.description());
        }
        out.println();
    }
}
