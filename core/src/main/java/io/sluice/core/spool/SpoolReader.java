package io.sluice.core.spool;

import io.sluice.core.delivery.EventFeed;
import io.sluice.spi.event.Event;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * One destination's place in the spool, as a consumer group member holds its offset: everything
 * routed to it before {@link #cursor()} is finished; from there on it is handed to the engine
 * within the room the engine gives, straight from memory while the reader keeps up, and read back
 * from disk, oldest first, once it has fallen behind.
 *
 * <p>A reader is live while every event routed to it has been handed: then an append is handed
 * as it commits. When the engine has no room for one, the reader falls behind and stops taking
 * appends from memory; later appends stay on disk too, so order is kept, and pages are read
 * from disk as room comes back until a page reaches the end of the log. Both happen on the
 * spool's writer thread, so no append slips in between.
 */
public final class SpoolReader implements EventFeed {

    private final Spool spool;
    private final String name;
    final int id;

    // Guarded by this.
    private EventFeed.Sink sink;
    private int roomEvents;
    private long roomBytes;
    /** The next position to hand; everything routed here before it was handed (or finished). */
    private long position;
    private boolean behind;
    private boolean readQueued;
    /** Handed and not finished: position -> received-at millis. */
    private final TreeMap<Long, Long> outstanding = new TreeMap<>();
    private long backlogEvents;
    private long backlogBytes;
    /** Received-at millis of the oldest routed event not yet handed, while behind; -1 when unknown. */
    private long oldestOnDisk = -1;
    private long persisted;
    private boolean removed;

    SpoolReader(Spool spool, String name, int id, long position, boolean behind) {
        this.spool = spool;
        this.name = name;
        this.id = id;
        this.position = position;
        this.persisted = position;
        this.behind = behind;
    }

    public String name() {
        return name;
    }

    @Override
    public synchronized void open(EventFeed.Sink sink) {
        this.sink = sink;
        roomEvents = 0;
        roomBytes = 0;
    }

    @Override
    public synchronized void room(int events, long bytes) {
        roomEvents = events;
        roomBytes = bytes;
        scheduleReadIfNeeded();
    }

    @Override
    public synchronized void finished(long position, Event event) {
        if (outstanding.remove(position) != null) {
            backlogEvents--;
            backlogBytes -= event.jsonLength();
        }
    }

    @Override
    public synchronized void close(EventFeed.Sink closing) {
        if (sink == closing) {
            sink = null;
        }
    }

    /** What is not finished: handed and in flight, or on disk. */
    public synchronized Backlog backlog() {
        long oldest = !outstanding.isEmpty() ? outstanding.firstEntry().getValue() : behind ? oldestOnDisk : -1;
        if (backlogEvents == 0) {
            oldest = -1;
        }
        return new Backlog(backlogEvents, backlogBytes,
                oldest < 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(oldest)));
    }

    /**
     * Everything routed here before this position is finished: where a restart resumes. A live
     * reader with nothing outstanding has finished all that committed before {@code head}, the
     * next position the writer will give (writer thread).
     */
    synchronized long cursor(long head) {
        if (!outstanding.isEmpty()) {
            return outstanding.firstKey();
        }
        return behind ? position : head;
    }

    /** The cursor, when it moved since the last call: for the writer to persist (writer thread). */
    synchronized long takeCursorChange(long head) {
        long cursor = cursor(head);
        if (cursor == persisted) {
            return -1;
        }
        persisted = cursor;
        return cursor;
    }

    synchronized boolean removed() {
        return removed;
    }

    synchronized void markRemoved() {
        removed = true;
        sink = null;
    }

    /** Counts what an earlier run left, at open. */
    synchronized void restored(long events, long bytes, long oldestMillis) {
        backlogEvents = events;
        backlogBytes = bytes;
        oldestOnDisk = oldestMillis;
    }

    /** An append routed here has committed (writer thread): hand it now, or fall behind. */
    synchronized void appended(long seq, Event event) {
        backlogEvents++;
        backlogBytes += event.jsonLength();
        if (!behind && sink != null && roomEvents > 0 && roomBytes > 0 && hand(seq, event)) {
            position = seq + 1;
            return;
        }
        if (!behind) {
            behind = true;
            position = seq;
            oldestOnDisk = event.receivedAt().toEpochMilli();
        }
    }

    /** False when the sink refused it (its engine is closing): then it was not handed. */
    private boolean hand(long seq, Event event) {
        if (!sink.take(event, seq)) {
            sink = null;
            return false;
        }
        roomEvents--;
        roomBytes -= event.jsonLength();
        outstanding.put(seq, event.receivedAt().toEpochMilli());
        return true;
    }

    private void scheduleReadIfNeeded() {
        if (behind && !readQueued && !removed && sink != null && roomEvents > 0 && roomBytes > 0) {
            readQueued = true;
            spool.readFor(this);
        }
    }

    /** Where the next page starts, and how much it may hand; null when nothing is to be read (writer thread). */
    synchronized PageRequest pageRequest() {
        readQueued = false;
        if (!behind || removed || sink == null || roomEvents <= 0 || roomBytes <= 0) {
            return null;
        }
        return new PageRequest(position, roomEvents, roomBytes);
    }

    record PageRequest(long from, int events, long bytes) {}

    /**
     * Hands a page read from disk (writer thread). {@code next} is where the following page
     * starts; {@code end} says the page reached the end of the log, so the reader is live again.
     */
    synchronized void page(List<Spool.Row> rows, long next, boolean end, long nextOldestMillis) {
        if (removed || sink == null) {
            return;
        }
        for (Spool.Row row : rows) {
            if (row.seq() < position) {
                continue;
            }
            if (sink == null || !hand(row.seq(), row.event())) {
                // Refused: it and what follows stay on disk for the next sink.
                position = row.seq();
                oldestOnDisk = row.event().receivedAt().toEpochMilli();
                return;
            }
        }
        position = next;
        if (end) {
            behind = false;
            oldestOnDisk = -1;
        } else if (nextOldestMillis >= 0) {
            oldestOnDisk = nextOldestMillis;
        }
        scheduleReadIfNeeded();
    }

    /**
     * Hands everything this reader has not yet handed, from disk, to {@code each}, and finishes it:
     * for a destination that is gone. Stops at the first event {@code each} refuses by throwing.
     */
    public void drain(Consumer<Event> each) {
        spool.drain(this, each);
    }

    /** Position and status for {@link Spool#drain}: the caller then owns reading (writer thread). */
    synchronized long startDrain() {
        sink = null;
        return position;
    }

    synchronized void drained(long seq, Event event) {
        backlogEvents--;
        backlogBytes -= event.jsonLength();
        position = seq + 1;
    }

    synchronized void drainedToEnd(long end) {
        position = Math.max(position, end);
        behind = false;
        oldestOnDisk = -1;
    }

    @Override
    public String toString() {
        return "SpoolReader[" + name + "]";
    }
}
