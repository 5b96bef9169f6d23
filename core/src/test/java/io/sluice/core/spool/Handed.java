package io.sluice.core.spool;

import io.sluice.core.delivery.EventFeed;
import io.sluice.spi.event.Event;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A test's engine stand-in: a sink that keeps what a reader hands it, with each event's position. */
final class Handed implements EventFeed.Sink {

    record Item(Event event, long position) {}

    private final List<Item> items = new ArrayList<>();

    @Override
    public synchronized boolean take(Event event, long position) {
        items.add(new Item(event, position));
        notifyAll();
        return true;
    }

    synchronized List<Item> items() {
        return List.copyOf(items);
    }

    synchronized List<String> messageIds() {
        return items.stream().map(i -> i.event().messageId()).toList();
    }

    /** Waits until {@code count} items arrived; fails the test after the timeout. */
    synchronized List<Item> await(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (items.size() < count) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("expected " + count + " handed events, got " + items.size());
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return List.copyOf(items);
    }

    /** Opens {@code reader} into a new sink with room for everything, and waits for {@code count} events. */
    static Handed all(SpoolReader reader, int count) throws InterruptedException {
        Handed handed = new Handed();
        reader.open(handed);
        reader.room(Integer.MAX_VALUE, Long.MAX_VALUE);
        handed.await(count, Duration.ofSeconds(20));
        return handed;
    }

    /** Finishes everything handed so far. */
    void finishAll(SpoolReader reader) {
        items().forEach(i -> reader.finished(i.position(), i.event()));
    }
}
