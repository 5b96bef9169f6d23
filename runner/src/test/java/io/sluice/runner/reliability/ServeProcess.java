package io.sluice.runner.reliability;

import io.sluice.runner.Main;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code sluice serve} in a child JVM on the test class path; its stdout and stderr go to files. */
final class ServeProcess implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("listening at (http://127\\.0\\.0\\.1:\\d+)");

    private final Process process;
    private final URI baseUrl;
    private final Path stdout;
    private final Path stderr;
    private final Thread drain;

    private ServeProcess(Process process, URI baseUrl, Path stdout, Path stderr, Thread drain) {
        this.drain = drain;
        this.process = process;
        this.baseUrl = baseUrl;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /**
     * Starts {@code sluice serve --config config} and waits for its banner.
     *
     * @param name     names the output files in {@code dir}
     * @param env      extra environment variables
     * @param jvmArgs  extra JVM options
     */
    static ServeProcess start(Path dir, String name, Path config, Map<String, String> env, List<String> jvmArgs)
            throws Exception {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classPath, "-Xmx256m", "-XX:+UseSerialGC", "-Daws.disableEc2Metadata=true",
                "-Daws.cborEnabled=false"));
        command.addAll(jvmArgs);
        command.addAll(List.of(Main.class.getName(), "serve", "--config", config.toString(), "--plugins", dir.toString()));
        Path stdout = dir.resolve(name + ".out");
        Path stderr = dir.resolve(name + ".err");
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(stderr.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String banner = CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).get(90, TimeUnit.SECONDS);
            Matcher url = LISTENING.matcher(String.valueOf(banner));
            if (!url.find()) {
                throw new IllegalStateException("serve did not start: " + banner);
            }
            // Keep the rest of stdout for the checks, and never let the pipe fill up.
            Thread drain = new Thread(() -> {
                StringBuilder rest = new StringBuilder(banner).append('\n');
                try {
                    for (String line; (line = out.readLine()) != null; ) {
                        rest.append(line).append('\n');
                    }
                } catch (IOException e) {
                    // the process ended
                }
                try {
                    java.nio.file.Files.writeString(stdout, rest);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, "serve-stdout-" + name);
            drain.setDaemon(true);
            drain.start();
            return new ServeProcess(process, URI.create(url.group(1)), stdout, stderr, drain);
        } catch (Exception e) {
            process.destroyForcibly();
            throw e;
        }
    }

    URI baseUrl() {
        return baseUrl;
    }

    /** Sends a signal ({@code HUP}, ...) with {@code kill}, as an operator would. */
    void signal(String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill -" + name + " failed");
        }
    }

    Path stdout() {
        return stdout;
    }

    Path stderr() {
        return stderr;
    }

    /** SIGKILL, and waits until the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(60, TimeUnit.SECONDS);
        drain.join(10_000); // its file must be written before the test's directory is deleted
    }

    /** SIGTERM; the exit code, or -1 when it did not exit within {@code seconds}. */
    int terminate(long seconds) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            return -1;
        }
        drain.join(10_000); // it writes the stdout file once the process has ended
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
