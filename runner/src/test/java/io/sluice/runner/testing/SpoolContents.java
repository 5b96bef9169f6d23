package io.sluice.runner.testing;

import io.sluice.core.spool.Spool;
import io.sluice.core.spool.SpoolPolicy;
import io.sluice.core.spool.SpoolReader;
import io.sluice.spi.event.Event;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What a spool file still holds, read the way an engine reads it, without finishing anything. */
public final class SpoolContents {

    private SpoolContents() {}

    /** The events {@code destination} has not finished, oldest first. */
    public static List<Event> pending(Path file, String destination) throws InterruptedException {
        try (Spool spool = Spool.open(file, SpoolPolicy.defaults())) {
            if (!spool.readerNames().contains(destination)) {
                return List.of();
            }
            SpoolReader reader = spool.reader(destination);
            long expected = reader.backlog().events();
            List<Event> events = new ArrayList<>();
            reader.open((event, position) -> {
                synchronized (events) {
                    events.add(event);
                }
                return true;
            });
            reader.room(Integer.MAX_VALUE, Long.MAX_VALUE);
            long deadline = System.nanoTime() + TestSluice.WAIT.toNanos();
            while (true) {
                synchronized (events) {
                    if (events.size() >= expected) {
                        return List.copyOf(events);
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("read " + events.size() + " of " + expected + " events of " + destination);
                }
                Thread.sleep(10);
            }
        }
    }

    /** Events every destination together has not finished. */
    public static long backlog(Path file) {
        try (Spool spool = Spool.open(file, SpoolPolicy.defaults())) {
            return spool.readerNames().stream().mapToLong(n -> spool.reader(n).backlog().events()).sum();
        }
    }
}
