package io.sluice.runner.plugins;

import io.sluice.spi.DestinationProvider;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.stream.Stream;

/**
 * The destination providers Sluice knows, by id: those on its own class path (the bundled Kinesis
 * plugin) and those of a plugins folder. Every command loads plugins here, by the same rules.
 *
 * <p>In a plugins folder, a plugin is either a jar ({@code plugins/webhook.jar}, with its
 * libraries shaded in) or a folder holding the plugin jar and its libraries
 * ({@code plugins/webhook/*.jar}, and {@code plugins/webhook/lib/*.jar}). Each plugin gets its own
 * child-first {@link PluginClassLoader}: it shares only the JDK, {@code io.sluice.spi} and slf4j
 * with Sluice, so plugins cannot see each other's classes nor Sluice's libraries.
 */
public final class PluginRegistry {

    private final Map<String, Plugin> byId;

    private PluginRegistry(Map<String, Plugin> byId) {
        this.byId = byId;
    }

    /** The providers on Sluice's own class path only. */
    public static PluginRegistry builtIn() {
        try {
            return load(Optional.empty());
        } catch (PluginException e) {
            throw new IllegalStateException("a built-in provider is broken: " + e.getMessage(), e);
        }
    }

    /**
     * Built-in providers plus every {@code *.jar} in {@code pluginsDir}, when given.
     *
     * @throws PluginException listing every jar without a provider, every provider that cannot be
     *                         instantiated and every id provided twice
     */
    public static PluginRegistry load(Optional<Path> pluginsDir) throws PluginException {
        ClassLoader app = PluginRegistry.class.getClassLoader();
        List<String> errors = new ArrayList<>();
        List<Plugin> found = new ArrayList<>(providers(ServiceLoader.load(DestinationProvider.class, app),
                app, null, Plugin.BUILT_IN, errors));
        if (pluginsDir.isPresent()) {
            for (Path plugin : plugins(pluginsDir.get(), errors)) {
                found.addAll(loadPlugin(plugin, app, errors));
            }
        }
        Map<String, Plugin> byId = new LinkedHashMap<>();
        for (Plugin plugin : found) {
            Plugin first = byId.putIfAbsent(plugin.id(), plugin);
            if (first != null) {
                errors.add("destination type '" + plugin.id() + "' is provided twice: by " + first.describe()
                        + " and by " + plugin.describe() + "; remove one of them");
            }
        }
        if (!errors.isEmpty()) {
            throw new PluginException(errors);
        }
        return new PluginRegistry(byId);
    }

    /**
     * The providers of one plugin (a jar, or a folder of jars), loaded as {@link #load} loads each
     * plugin of a folder: for {@code sluice conformance --plugin}.
     *
     * @throws PluginException when it is missing, has no provider, or a provider cannot be created
     */
    public static List<Plugin> loadOne(Path plugin) throws PluginException {
        List<String> errors = new ArrayList<>();
        if (!Files.exists(plugin)) {
            throw new PluginException(List.of(plugin + ": no plugin jar or folder there"));
        }
        List<Plugin> found = loadPlugin(plugin, PluginRegistry.class.getClassLoader(), errors);
        if (!errors.isEmpty()) {
            throw new PluginException(errors);
        }
        return found;
    }

    public Optional<Plugin> find(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** Every plugin, built-in ones first, then by jar name. */
    public Collection<Plugin> all() {
        return List.copyOf(byId.values());
    }

    public List<String> ids() {
        return List.copyOf(byId.keySet());
    }

    /** The folder's plugins: its jars and its sub-folders, by name. */
    private static List<Path> plugins(Path dir, List<String> errors) {
        if (!Files.isDirectory(dir)) {
            errors.add(dir + ": the plugins folder does not exist or is not a folder");
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> isJar(f) || Files.isDirectory(f))
                    .sorted(Comparator.comparing(f -> f.getFileName().toString()))
                    .toList();
        } catch (IOException e) {
            errors.add(dir + ": cannot list the plugins folder: " + e.getMessage());
            return List.of();
        }
    }

    private static boolean isJar(Path file) {
        return file.getFileName().toString().endsWith(".jar") && Files.isRegularFile(file);
    }

    /** A jar alone, or every jar of a folder and of its {@code lib/} folder. */
    private static List<URL> jarsOf(Path plugin) throws IOException {
        List<Path> jars = new ArrayList<>();
        if (Files.isDirectory(plugin)) {
            for (Path dir : List.of(plugin, plugin.resolve("lib"))) {
                if (Files.isDirectory(dir)) {
                    try (Stream<Path> files = Files.list(dir)) {
                        files.filter(PluginRegistry::isJar).sorted().forEach(jars::add);
                    }
                }
            }
        } else {
            jars.add(plugin);
        }
        List<URL> urls = new ArrayList<>();
        for (Path jar : jars) {
            urls.add(jar.toUri().toURL());
        }
        return urls;
    }

    private static List<Plugin> loadPlugin(Path plugin, ClassLoader sluice, List<String> errors) {
        List<URL> urls;
        try {
            urls = jarsOf(plugin);
        } catch (IOException e) {
            errors.add(plugin + ": cannot be read: " + e.getMessage());
            return List.of();
        }
        if (urls.isEmpty()) {
            return List.of(); // a folder without jars is not a plugin (a spool, notes): nothing to load
        }
        // Never closed: the providers' classes live as long as Sluice does.
        PluginClassLoader loader = new PluginClassLoader("plugin:" + plugin.getFileName(), urls, sluice);
        int errorsBefore = errors.size();
        List<Plugin> plugins = providers(ServiceLoader.load(DestinationProvider.class, loader), loader, loader,
                plugin.toString(), errors);
        if (plugins.isEmpty() && errors.size() == errorsBefore) {
            errors.add(plugin + ": no destination provider found; a plugin jar must list its provider class in "
                    + "META-INF/services/" + DestinationProvider.class.getName()
                    + ", and that class must implement " + DestinationProvider.class.getName()
                    + " and have a public no-argument constructor");
        }
        return plugins;
    }

    /**
     * Instantiates what {@code loader} finds. A jar's loader also sees its parent's services, so
     * only providers defined by {@code own} itself count for a jar ({@code own == null}: all count).
     */
    private static List<Plugin> providers(ServiceLoader<DestinationProvider> loader, ClassLoader pluginLoader,
                                          ClassLoader own, String origin, List<String> errors) {
        List<Plugin> plugins = new ArrayList<>();
        for (ServiceLoader.Provider<DestinationProvider> candidate : iterate(loader, origin, errors)) {
            if (own != null && candidate.type().getClassLoader() != own) {
                continue;
            }
            try {
                DestinationProvider provider = candidate.get();
                String id = provider.id();
                if (id == null || id.isBlank()) {
                    errors.add(origin + " (" + candidate.type().getName() + "): the provider's id() is empty");
                } else {
                    plugins.add(new Plugin(provider, origin, pluginLoader));
                }
            } catch (ServiceConfigurationError | RuntimeException | LinkageError e) {
                errors.add(origin + " (" + candidate.type().getName() + "): cannot create the provider: " + e);
            }
        }
        return plugins;
    }

    /** The candidates, with a broken services entry reported instead of thrown. */
    private static List<ServiceLoader.Provider<DestinationProvider>> iterate(
            ServiceLoader<DestinationProvider> loader, String origin, List<String> errors) {
        List<ServiceLoader.Provider<DestinationProvider>> candidates = new ArrayList<>();
        var it = loader.stream().iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    return candidates;
                }
                candidates.add(it.next());
            } catch (ServiceConfigurationError | LinkageError e) {
                errors.add(origin + ": broken provider entry: " + e.getMessage());
                return candidates;
            }
        }
    }
}
