package io.sluice.runner.config;

import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces {@code ${env:NAME}} in configuration strings with the environment variable's value, so
 * secrets stay out of the file. A missing variable is an error that names it and the path, never
 * a value.
 */
final class EnvSubstitution {

    private static final Pattern REFERENCE = Pattern.compile("\\$\\{env:([^}]*)}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final Function<String, String> env;

    EnvSubstitution(Function<String, String> env) {
        this.env = env;
    }

    /** {@code text} with every reference replaced; problems are added to {@code errors}. */
    String apply(String text, String path, List<String> errors) {
        if (!text.contains("${")) {
            return text;
        }
        Matcher m = REFERENCE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String value = null;
            if (!NAME.matcher(name).matches()) {
                errors.add(path + ": '${env:" + name + "}' is not a valid environment variable reference; "
                        + "use ${env:NAME} with letters, digits and '_'");
            } else {
                value = env.apply(name);
                if (value == null) {
                    errors.add(path + ": environment variable " + name + " is not set");
                }
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value == null ? "" : value));
        }
        m.appendTail(out);
        return out.toString();
    }
}
