package io.sluice.core.delivery;

import io.sluice.spi.event.Event;

/**
 * Where an engine's events come from when they wait in a durable log: the engine says how much
 * room its memory window has, the feed hands it at most that much, oldest first, and the engine
 * says when each event is finished (delivered or dead-lettered). What the engine has not finished
 * stays in the log, so the window never has to hold a backlog.
 */
public interface EventFeed {

    /** Starts handing events to {@code sink}; they arrive on any thread, and {@code sink} must not block. */
    void open(Sink sink);

    /**
     * The room the engine's window has now, replacing what it said before: the feed hands at most
     * {@code events} more events and about {@code bytes} more bytes (one event may overshoot).
     * Events handed while this report was on its way count against it, so the window may
     * overshoot by what was in transit.
     */
    void room(int events, long bytes);

    /** The engine is done with the event at {@code position}: the log may forget it for this reader. */
    void finished(long position, Event event);

    /**
     * Stops handing events to {@code sink}, if it is still the one the feed hands to (an engine
     * that replaced it may have opened the feed since); what was not finished stays in the log.
     */
    void close(Sink sink);

    /** Takes an event and its position in the log. */
    @FunctionalInterface
    interface Sink {
        /** False when it takes no more (it is closing): the feed keeps the event. */
        boolean take(Event event, long position);
    }
}
