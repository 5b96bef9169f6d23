package io.sluice.spi.settings;

import java.util.Map;
import java.util.Optional;

/**
 * A rule for one setting's value, run after the value has been read as its {@link SettingType}
 * (a {@code String}, {@code Long}, {@code Boolean}, {@code java.net.URI}, {@link Secret} or, for
 * a map, a {@code Map<String, String>} or {@code Map<String, Secret>}; for a list, a {@code List<String>}
 * or {@code List<URI>}, and each value alone for {@link Setting#each}).
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

    /**
     * This rule, exporting {@code keywords} to the JSON Schema: a lambda validator made visible to
     * forms in one call, e.g.
     * {@code Validator.of(v -> ..., Map.of("pattern", "^[A-Z]{3}$"))}.
     *
     * @since 0.2.0
     */
    static Validator of(Validator rule, Map<String, Object> keywords) {
        Map<String, Object> copy = Map.copyOf(keywords);
        return new Validator() {
            @Override
            public Optional<Violation> check(Object value) {
                return rule.check(value);
            }

            @Override
            public Map<String, Object> schemaKeywords() {
                return copy;
            }
        };
    }
}
