package io.sluice.runner.routing;

import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * Keeps admissions and route changes apart. An admission routes and hands its events on (to the
 * spool's queue, or to engines) holding the gate shared; a change of a source's routes holds it
 * exclusively. So once a change is done, no event can still be on its way to a route it removed
 * or replaced. The gate also says when Sluice has stopped taking events.
 */
final class RouteGate {

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile boolean closed;

    <T> T shared(Supplier<T> work) {
        lock.readLock().lock();
        try {
            return work.get();
        } finally {
            lock.readLock().unlock();
        }
    }

    void exclusive(Runnable change) {
        lock.writeLock().lock();
        try {
            change.run();
        } finally {
            lock.writeLock().unlock();
        }
    }

    boolean closed() {
        return closed;
    }

    /** True the first time: the caller then owns the shutdown. */
    boolean close() {
        lock.writeLock().lock();
        try {
            boolean first = !closed;
            closed = true;
            return first;
        } finally {
            lock.writeLock().unlock();
        }
    }
}
