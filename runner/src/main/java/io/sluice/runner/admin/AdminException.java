package io.sluice.runner.admin;

import io.sluice.spi.settings.SettingError;
import java.util.List;

/** A request the admin API refuses: its HTTP status, a stable code, a message, and field errors. No secret is ever in it. */
public class AdminException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;
    private final transient List<SettingError> errors;

    public AdminException(int status, String code, String message) {
        this(status, code, message, List.of());
    }

    public AdminException(int status, String code, String message, List<SettingError> errors) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.errors = List.copyOf(errors);
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public List<SettingError> errors() {
        return errors;
    }
}
