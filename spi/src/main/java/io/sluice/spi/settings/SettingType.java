package io.sluice.spi.settings;

/** The type of a setting: how its raw value is read, checked and shown. */
public enum SettingType {
    /** Free text. */
    STRING,
    /** Text that is never shown: masked in {@code toString}, errors and exports; write-only in forms. */
    SECRET,
    /** A whole number (read as {@code long}). */
    INTEGER,
    /** {@code true} or {@code false}. */
    BOOLEAN,
    /** One of a fixed list of strings. */
    ENUM,
    /** An absolute URI with a host and an allowed scheme ({@code http}, {@code https} unless set), e.g. {@code https://vpce.example:443}; may be secret. */
    URI,
    /** An Amazon Resource Name, {@code arn:partition:service:region:account:resource}. */
    ARN,
    /** Names to text values, e.g. HTTP headers; its values may be secret. @since 0.2.0 */
    MAP,
    /**
     * A list of text values or of URIs (see {@link Setting#list} and {@link Setting#uriList}), e.g.
     * Kafka brokers: a YAML or JSON list in a file, or text separated by commas. @since 0.2.0
     */
    LIST
}
