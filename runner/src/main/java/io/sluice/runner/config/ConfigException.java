package io.sluice.runner.config;

import java.util.List;

/** A configuration that cannot be used, with every problem found, each naming its path. */
public final class ConfigException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient List<String> errors;

    public ConfigException(List<String> errors) {
        super(errors.size() + " configuration error(s):\n  " + String.join("\n  ", errors), null, false, false);
        this.errors = List.copyOf(errors);
    }

    /** One line per problem, e.g. {@code sources[0].destinations[0].settings.region: must be ...}. */
    public List<String> errors() {
        return errors;
    }
}
