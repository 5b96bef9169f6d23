package io.sluice.spi.settings;

import java.util.List;
import java.util.stream.Collectors;

/** Settings that broke one or more rules; carries every error, not just the first. */
public final class InvalidSettingsException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final List<SettingError> errors;

    public InvalidSettingsException(List<SettingError> errors) {
        super(errors.size() + " invalid setting(s): "
                + errors.stream().map(SettingError::toString).collect(Collectors.joining("; ")));
        this.errors = List.copyOf(errors);
    }

    public List<SettingError> errors() {
        return errors;
    }
}
