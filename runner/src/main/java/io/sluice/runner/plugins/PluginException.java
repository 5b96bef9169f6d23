package io.sluice.runner.plugins;

import java.util.List;

/** Plugins that cannot be loaded: every problem found, each naming the jar or provider at fault. */
public final class PluginException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient List<String> errors;

    public PluginException(List<String> errors) {
        super(String.join("\n", errors), null, false, false);
        this.errors = List.copyOf(errors);
    }

    public List<String> errors() {
        return errors;
    }
}
