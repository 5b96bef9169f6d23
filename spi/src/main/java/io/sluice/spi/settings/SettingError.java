package io.sluice.spi.settings;

/**
 * One setting's broken rule.
 *
 * @param field   the setting's name
 * @param rule    the stable rule name: {@code required}, {@code type}, {@code one_of}, {@code range},
 *                {@code uri}, {@code arn}, {@code unknown_field}, or a validator's own
 * @param message a sentence naming the field and the rule; holds the given value only for
 *                non-secret settings
 */
public record SettingError(String field, String rule, String message) {

    @Override
    public String toString() {
        return message + " [" + rule + "]";
    }
}
