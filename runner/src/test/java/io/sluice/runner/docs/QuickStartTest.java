package io.sluice.runner.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.sluice.runner.Main;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's quick start, done as a reader does it: {@code ./sluice serve} as its own process, its
 * output compared with what the README says it prints, then the {@code curl} line it printed run by
 * a shell and the {@code tail} line it printed run as a process. The test command is the one CI runs.
 */
class QuickStartTest {

    private static final String RUN = "./sluice serve";
    private static final String TEST = "./mvnw -B verify";

    @TempDir
    Path dir;

    @Test
    void theTwoCommandsAreTheReadmesAndCiRunsTheTestOne() {
        List<String> commands = commands(Docs.read("README.md"));
        assertThat(commands).containsExactly(RUN, TEST);
        List<String> ci = Docs.read(".ci/run").lines().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        assertThat(ci.get(ci.size() - 1)).as("the last command of .ci/run").isEqualTo(TEST);
        // ./sluice runs sluice.jar, whose entry point this test starts directly (the jar is built after the tests).
        assertThat(Docs.read("sluice")).contains("exec java ${SLUICE_JAVA_OPTS:-} -jar \"$jar\" \"$@\"");
        assertThat(Docs.read("runner/pom.xml")).contains("<mainClass>" + Main.class.getName() + "</mainClass>");
    }

    @Test
    void serveThenTheCurlLineItPrintsThenTheTailLine() throws Exception {
        List<String> shown = shownOutput(Docs.read("README.md"));
        // Port 0 instead of 8088: the machine running the tests may have 8088 taken; the banner names the real one.
        Path errors = dir.resolve("serve.stderr");
        Process serve = sluice(RUN.substring("./sluice ".length()) + " --port 0")
                .redirectError(errors.toFile()).start();
        try {
            List<String> printed = firstLines(serve, shown.size());
            assertThat(printed).as("what serve printed; its stderr:%n%s", Files.readString(errors)).hasSize(shown.size());
            for (int i = 0; i < shown.size(); i++) {
                assertThat(printed.get(i)).as("line %d of what serve printed; the README shows%n%s", i + 1, shown.get(i))
                        .matches(template(shown.get(i)));
            }
            String output = String.join("\n", printed);

            String curl = printedCommand(output, "curl ");
            installCurl();
            Process post = new ProcessBuilder("sh", "-c", curl).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String answer = new String(post.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(post.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(post.exitValue()).as("curl's exit code").isZero();
            assertThat(answer).isEqualTo("{\"success\":true}");

            String tail = printedCommand(output, "./sluice tail ");
            Process follow = sluice(tail.substring("./sluice ".length()) + " --max 1 --timeout 60s")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String record = new String(follow.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(follow.waitFor(90, TimeUnit.SECONDS)).isTrue();
            assertThat(follow.exitValue()).as("tail's exit code; it printed " + record).isZero();
            assertThat(record).contains("\"partitionKey\":\"user_1\"").contains("User Registered");
        } finally {
            serve.destroy();
            if (!serve.waitFor(60, TimeUnit.SECONDS)) {
                serve.destroyForcibly();
            }
        }
        assertThat(serve.exitValue()).as("serve's exit code after SIGTERM").isZero();
    }

    @Test
    void aTemplateLineMatchesOnlyWhatItShows() {
        assertThat("  curl -u 0123456789abcdef0123456789abcdef: -d x http://127.0.0.1:41234/v1/track")
                .matches(template("  curl -u KEY: -d x http://127.0.0.1:8088/v1/track"));
        assertThat("  curl -u 0123456789abcdef0123456789abcdef: -d y http://127.0.0.1:41234/v1/track")
                .doesNotMatch(template("  curl -u KEY: -d x http://127.0.0.1:8088/v1/track"));
        assertThat("  ./sluice tail --settings /tmp/sluice-local123/kinesis-local.json")
                .matches(template("  ./sluice tail --settings /tmp/sluice-local.../kinesis-local.json"));
    }

    /** CI's fresh machine may lack curl; the tests run as root there, as the browser tests' apt-get does. */
    private static void installCurl() throws Exception {
        if (Files.isExecutable(Path.of("/usr/bin/curl"))) {
            return;
        }
        for (String[] step : new String[][] {{"apt-get", "update", "-qq"}, {"apt-get", "install", "-y", "-qq", "curl"}}) {
            Process apt = new ProcessBuilder(step).inheritIO().start();
            if (!apt.waitFor(10, TimeUnit.MINUTES) || apt.exitValue() != 0) {
                apt.destroyForcibly();
                throw new IllegalStateException(String.join(" ", step) + " failed; the quick start's curl line needs curl");
            }
        }
    }

    /** The commands of the README's "The two commands" block, without their comments. */
    static List<String> commands(String readme) {
        Matcher block = Pattern.compile("## The two commands\\n+```sh\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertThat(block.find()).as("a sh block right under '## The two commands'").isTrue();
        return block.group(1).lines().map(l -> l.replaceFirst("#.*", "").strip()).filter(l -> !l.isEmpty()).toList();
    }

    /** The first {@code text} block of the README after its two commands: what serve prints. */
    static List<String> shownOutput(String readme) {
        Matcher block = Pattern.compile("## The two commands\\n.*?```text\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        assertThat(block.find()).as("a text block of serve's output under '## The two commands'").isTrue();
        return block.group(1).lines().toList();
    }

    /**
     * A shown line as a pattern: KEY is this run's write key, PORT a port, 8088 the port serve got,
     * and /tmp/sluice-local... this run's folder in the temporary directory.
     */
    static String template(String shown) {
        StringBuilder pattern = new StringBuilder();
        Matcher token = Pattern.compile("KEY|PORT|8088|/tmp/sluice-local\\.\\.\\.").matcher(shown);
        int at = 0;
        while (token.find()) {
            pattern.append(Pattern.quote(shown.substring(at, token.start())));
            pattern.append(switch (token.group()) {
                case "KEY" -> "[0-9a-f]{32}";
                case "PORT", "8088" -> "\\d{2,5}";
                default -> "\\S+/sluice-local\\d+";
            });
            at = token.end();
        }
        return pattern.append(Pattern.quote(shown.substring(at))).toString();
    }

    /** A command serve printed, its continuation lines (ending in a backslash) joined. */
    static String printedCommand(String output, String start) {
        List<String> lines = output.lines().map(String::strip).toList();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(start)) {
                StringBuilder command = new StringBuilder(lines.get(i));
                while (command.toString().endsWith("\\") && i + 1 < lines.size()) {
                    command.setLength(command.length() - 1);
                    command.append(' ').append(lines.get(++i));
                }
                return command.toString();
            }
        }
        throw new AssertionError("serve printed no line starting with '" + start + "':\n" + output);
    }

    /** {@code sluice ARGS} as ./sluice runs it, in its own folder, with no admin token from this environment. */
    private ProcessBuilder sluice(String args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                "-Daws.disableEc2Metadata=true", Main.class.getName()));
        command.addAll(List.of(args.split(" ")));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("SLUICE_") && !name.equals("SLUICE_CACHE_DIR"));
        return builder;
    }

    /** The first {@code count} lines the process prints; the first run may install kinesalite, so minutes. */
    private static List<String> firstLines(Process process, int count) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        return CompletableFuture.supplyAsync(() -> {
            List<String> lines = new ArrayList<>();
            try {
                String line;
                while (lines.size() < count && (line = out.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return lines;
        }).get(5, TimeUnit.MINUTES);
    }
}
