package io.sluice.runner.plugins;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * A plugin's class loader, child-first: the plugin's own jars win over Sluice's. Only the JDK,
 * the SPI ({@code io.sluice.spi}) and the logging API ({@code org.slf4j}) come from Sluice, so a
 * plugin that bundles its own Jackson, Netty or AWS SDK gets its own version, and a plugin that
 * forgot a library fails to load instead of borrowing Sluice's by accident. Trino's
 * {@code PluginClassLoader} is the model.
 */
public final class PluginClassLoader extends URLClassLoader {

    /** Packages (and resource folders) every plugin shares with Sluice. */
    static final List<String> SHARED = List.of("io.sluice.spi.", "org.slf4j.");

    static {
        registerAsParallelCapable();
    }

    private final ClassLoader sluice;
    private final ClassLoader jdk = ClassLoader.getPlatformClassLoader();

    public PluginClassLoader(String name, List<URL> jars, ClassLoader sluice) {
        super(name, jars.toArray(URL[]::new), null);
        this.sluice = sluice;
    }

    static boolean shared(String className) {
        return SHARED.stream().anyMatch(className::startsWith);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        synchronized (getClassLoadingLock(name)) {
            Class<?> type = findLoadedClass(name);
            if (type == null) {
                type = shared(name) ? sluice.loadClass(name) : fromJdkOrOwn(name);
            }
            if (resolve) {
                resolveClass(type);
            }
            return type;
        }
    }

    private Class<?> fromJdkOrOwn(String name) throws ClassNotFoundException {
        try {
            return jdk.loadClass(name);
        } catch (ClassNotFoundException notJdk) {
            return findClass(name);
        }
    }

    @Override
    public URL getResource(String name) {
        if (shared(name.replace('/', '.'))) {
            return sluice.getResource(name);
        }
        URL own = findResource(name);
        return own != null ? own : jdk.getResource(name);
    }

    /** The plugin's own resources, then the JDK's: a services file of Sluice's is never seen. */
    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        if (shared(name.replace('/', '.'))) {
            return sluice.getResources(name);
        }
        List<URL> all = new ArrayList<>(Collections.list(findResources(name)));
        all.addAll(Collections.list(jdk.getResources(name)));
        return Collections.enumeration(all);
    }
}
