package io.sluice.spi;

import java.util.Objects;

/** A destination's health as an operator sees it on {@code /health} and the dashboard. */
public record Health(Status status, String message) {

    public enum Status { HEALTHY, UNHEALTHY }

    public static final Health HEALTHY = new Health(Status.HEALTHY, "ok");

    public Health {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(message, "message");
    }

    /** Unhealthy, with a message that says what to fix. Never put a secret in it. */
    public static Health unhealthy(String message) {
        return new Health(Status.UNHEALTHY, message);
    }

    public boolean isHealthy() {
        return status == Status.HEALTHY;
    }
}
