package io.sluice.runner.testing;

import io.sluice.spi.DestinationProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/** Builds plugin jars at test time: Java source compiled against the SPI, then packed with its services entry. */
public final class PluginJars {

    private PluginJars() {}

    /** A jar with one provider {@code pkg.className} of id {@code id}, listed in META-INF/services. */
    public static Path provider(Path dir, String jarName, String pkg, String className, String id) throws IOException {
        String source = """
                package %1$s;

                import io.sluice.spi.Destination;
                import io.sluice.spi.DestinationProvider;
                import io.sluice.spi.Outcome;
                import io.sluice.spi.settings.Setting;
                import io.sluice.spi.settings.Settings;
                import io.sluice.spi.settings.SettingsSchema;
                import java.util.List;
                import java.util.concurrent.CompletableFuture;

                public final class %2$s implements DestinationProvider {
                    public String id() { return "%3$s"; }
                    public String integrationName() { return "Tiny %3$s"; }
                    public String description() { return "A plugin compiled by the test."; }
                    public SettingsSchema settingsSchema() {
                        return SettingsSchema.builder().add(Setting.string("greeting").defaultValue("hello")).build();
                    }
                    public Destination create(Settings settings) {
                        return new Destination() {
                            public java.util.concurrent.CompletionStage<List<Outcome>> deliver(List<io.sluice.spi.event.Event> batch) {
                                return CompletableFuture.completedFuture(batch.stream().map(e -> (Outcome) Outcome.delivered()).toList());
                            }
                            public void close() {}
                        };
                    }
                }
                """.formatted(pkg, className, id);
        Path classes = compile(dir, pkg, className, source);
        return jar(dir.resolve(jarName), classes, pkg + "." + className + "\n");
    }

    /**
     * A jar with one provider {@code pkg.className} of id {@code id} whose {@code description()} is
     * {@code descriptionExpression}, compiled against the SPI and {@code libraries}.
     */
    public static Path describing(Path dir, String jarName, String pkg, String className, String id,
                                  String descriptionExpression, List<Path> libraries) throws IOException {
        String source = """
                package %1$s;

                import io.sluice.spi.Destination;
                import io.sluice.spi.DestinationProvider;
                import io.sluice.spi.settings.Settings;
                import io.sluice.spi.settings.SettingsSchema;

                public final class %2$s implements DestinationProvider {
                    public String id() { return "%3$s"; }
                    public String integrationName() { return "Described %3$s"; }
                    public String description() { return %4$s; }
                    public SettingsSchema settingsSchema() { return SettingsSchema.builder().build(); }
                    public Destination create(Settings settings) { throw new UnsupportedOperationException(); }
                }
                """.formatted(pkg, className, id, descriptionExpression);
        Path classes = compile(dir, pkg, className, source, libraries);
        return jar(dir.resolve(jarName), classes, pkg + "." + className + "\n");
    }

    /** A jar with a class but no services entry. */
    public static Path withoutProvider(Path dir, String jarName) throws IOException {
        Path classes = compile(dir, "org.example.none", "NotAPlugin", "package org.example.none; public final class NotAPlugin {}");
        return jar(dir.resolve(jarName), classes, null);
    }

    /** A jar whose services entry names a class it does not contain. */
    public static Path withMissingClass(Path dir, String jarName) throws IOException {
        Path classes = Files.createTempDirectory(dir, "empty-classes");
        return jar(dir.resolve(jarName), classes, "org.example.Missing\n");
    }

    private static Path compile(Path dir, String pkg, String className, String source) throws IOException {
        return compile(dir, pkg, className, source, List.of());
    }

    private static Path compile(Path dir, String pkg, String className, String source, List<Path> libraries)
            throws IOException {
        Path src = Files.createTempDirectory(dir, "src");
        Path file = src.resolve(className + ".java");
        Files.writeString(file, source);
        Path classes = Files.createTempDirectory(dir, "classes");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringBuilder classPath = new StringBuilder(Path.of(codeSource(DestinationProvider.class)).toString());
        libraries.forEach(lib -> classPath.append(java.io.File.pathSeparator).append(lib));
        int status = javac.run(null, null, null, "--release", "17", "-classpath", classPath.toString(),
                "-d", classes.toString(), file.toString());
        if (status != 0) {
            throw new IllegalStateException("the test plugin did not compile");
        }
        return classes;
    }

    private static java.net.URI codeSource(Class<?> type) {
        try {
            return type.getProtectionDomain().getCodeSource().getLocation().toURI();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path jar(Path jar, Path classes, String services) throws IOException {
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
             Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, out);
                out.closeEntry();
            }
            if (services != null) {
                out.putNextEntry(new JarEntry("META-INF/services/" + DestinationProvider.class.getName()));
                write(out, services);
                out.closeEntry();
            }
        }
        return jar;
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
    }
}
