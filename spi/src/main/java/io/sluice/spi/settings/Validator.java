package io.sluice.spi.settings;

import java.util.Map;
import java.util.Optional;

/**
 * A rule for one setting's value, run after the value has been read as its {@link SettingType}
 * (a {@code String}, {@code Long}, {@code Boolean}, {@code java.net.URI} or {@link Secret}).
 *
 * <p>The message must describe the rule, not echo the value: the schema adds the value to errors
 * itself, except for secrets.
 */
@FunctionalInterface
public interface Validator {

    /** Empty when {@code value} is fine. */
    Optional<Violation> check(Object value);

    /** JSON Schema keywords that express this rule to a form, e.g. {@code minimum}. */
    default Map<String, Object> schemaKeywords() {
        return Map.of();
    }
}
