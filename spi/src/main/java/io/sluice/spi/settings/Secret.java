package io.sluice.spi.settings;

import java.util.Objects;

/** A secret setting's value. Only {@link #reveal()} gives it out; every other view is masked. */
public final class Secret {

    /** What a secret looks like wherever it is shown. */
    public static final String MASK = "******";

    private final String value;

    public Secret(String value) {
        this.value = Objects.requireNonNull(value, "value");
    }

    /** The clear value, for handing to a client library; never log or print it. */
    public String reveal() {
        return value;
    }

    @Override
    public String toString() {
        return MASK;
    }
}
