package io.sluice.spi.settings;

/**
 * One setting's broken rule.
 *
 * @param field   the setting's name
 * @param rule    the stable rule name: {@code required}, {@code type}, {@code one_of}, {@code range},
 *                {@code uri}, {@code arn}, {@code unknown_field}, for lists {@code size} and
 *                {@code empty_value}, or a validator's own
 * @param message a sentence naming the field (and, for one value of a list, its index, e.g.
 *                {@code brokers[1]: ...}) and the rule; holds the given value only for
 *                non-secret settings
 */
public record SettingError(String field, String rule, String message) {

    @Override
    public String toString() {
        return message + " [" + rule + "]";
    }
}
