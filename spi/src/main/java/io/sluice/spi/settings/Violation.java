package io.sluice.spi.settings;

/**
 * A broken rule, as a {@link Validator} reports it.
 *
 * @param rule    a stable, snake_case rule name, e.g. {@code range}
 * @param message what the rule demands, e.g. {@code must be between 1 and 500}; never the value
 */
public record Violation(String rule, String message) {}
