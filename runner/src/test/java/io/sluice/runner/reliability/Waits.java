package io.sluice.runner.reliability;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Bounded waits that report instead of failing, so a test can print its figures before it asserts. */
final class Waits {

    private Waits() {}

    /** Polls {@code condition} until it holds or {@code timeout} passes; whether it held. */
    static boolean until(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }

    static void sleep(Duration duration) throws InterruptedException {
        Thread.sleep(duration.toMillis());
    }
}
