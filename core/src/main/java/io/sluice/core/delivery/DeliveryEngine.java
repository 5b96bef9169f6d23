package io.sluice.core.delivery;

import io.sluice.spi.BatchLimits;
import io.sluice.spi.Destination;
import io.sluice.spi.Outcome;
import io.sluice.spi.event.Event;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Delivers events to one destination: buffers them (bounded in bytes), batches them within the
 * destination's limits, keeps a bounded number of requests in flight, adapts the events in flight
 * with {@link Aimd} when the destination reports retryable failures, and retries only the failed
 * entries of a batch with exponential backoff and jitter.
 *
 * <p>All state is owned by one scheduler thread; {@link #offer} only enqueues and wakes it. So a
 * destination's {@code deliver} must not block: it should return a pending stage at once.
 */
public final class DeliveryEngine implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(DeliveryEngine.class.getName());

    private final String name;
    private final Destination destination;
    private final DeliveryPolicy policy;
    private final DeliveryListener listener;
    private final BatchLimits limits;
    private final ScheduledExecutorService thread;

    private final ConcurrentLinkedQueue<Entry> incoming = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean pumpScheduled = new AtomicBoolean();
    private final AtomicLong bufferedBytes = new AtomicLong();
    private final AtomicLong bufferedEvents = new AtomicLong();
    private volatile boolean closed;
    private final ReentrantReadWriteLock closing = new ReentrantReadWriteLock();

    // Owned by the engine thread.
    private final ArrayDeque<Entry> ready = new ArrayDeque<>();
    private long readyBytes;
    private final PriorityQueue<Entry> waiting = new PriorityQueue<>(Comparator.comparingLong(e -> e.dueNanos));
    private final Set<List<Entry>> inFlight = Collections.newSetFromMap(new IdentityHashMap<>());
    private int inFlightEvents;
    private final Aimd aimd;
    private final List<CompletableFuture<Void>> drainWaiters = new ArrayList<>();
    private boolean flushing;
    private ScheduledFuture<?> timer;
    private long timerDueNanos;

    public DeliveryEngine(String name, Destination destination, DeliveryPolicy policy, DeliveryListener listener) {
        this.name = name;
        this.destination = destination;
        this.policy = policy;
        this.listener = listener;
        this.limits = destination.limits();
        this.aimd = new Aimd(limits.maxEvents(), limits.maxEvents() * policy.maxInFlightRequests());
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sluice-delivery-" + name);
            t.setDaemon(true);
            return t;
        });
    }

    public Destination destination() {
        return destination;
    }

    /** Whether {@code bytes} more event bytes fit in the buffer. Admission control asks before offering. */
    public boolean hasRoomFor(long bytes) {
        return bufferedBytes.get() + bytes <= policy.maxBufferedBytes();
    }

    /**
     * Takes an event for delivery. Never refuses: callers check {@link #hasRoomFor} first, so the
     * buffer may overshoot its bound by at most what concurrent callers admitted at the same moment.
     *
     * @throws IllegalStateException after {@link #close}
     */
    public void offer(Event event) {
        // Under the read lock, so that once close() has taken the write lock every offer that
        // passed the check has enqueued, and close() hands it back rather than stranding it.
        closing.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("delivery to " + name + " is closed");
            }
            Entry entry = new Entry(event, destination.sizeOf(event), System.nanoTime());
            bufferedBytes.addAndGet(event.jsonLength());
            bufferedEvents.incrementAndGet();
            incoming.add(entry);
        } finally {
            closing.readLock().unlock();
        }
        wake();
    }

    /** Events and bytes held: queued, waiting to retry or in flight. */
    public Stats stats() {
        return new Stats(bufferedEvents.get(), bufferedBytes.get());
    }

    /** Sends everything buffered without waiting for linger; completes when nothing is held any more. */
    public CompletableFuture<Void> flush() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        thread.execute(() -> {
            if (bufferedEvents.get() == 0) {
                done.complete(null);
                return;
            }
            flushing = true;
            drainWaiters.add(done);
            pump();
        });
        return done;
    }

    /**
     * Stops taking events, delivers what it holds for up to {@code timeout}, closes the destination,
     * and returns the events it could not deliver in time, for the caller to keep.
     */
    public List<Event> close(Duration timeout) {
        closing.writeLock().lock();
        try {
            closed = true;
        } finally {
            closing.writeLock().unlock();
        }
        try {
            if (bufferedEvents.get() > 0) {
                flush().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (TimeoutException e) {
            LOG.log(System.Logger.Level.WARNING, "delivery to {0} did not drain within {1}", name, timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        List<Event> left;
        try {
            left = thread.submit(this::undelivered).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            left = List.of();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        thread.shutdownNow();
        try {
            destination.flush();
        } finally {
            destination.close();
        }
        return left;
    }

    @Override
    public void close() {
        List<Event> left = close(Duration.ofSeconds(30));
        if (!left.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "{0} event(s) for {1} were not delivered before close", left.size(), name);
        }
    }

    private List<Event> undelivered() {
        List<Event> left = new ArrayList<>();
        drainIncoming();
        ready.forEach(e -> left.add(e.event));
        waiting.forEach(e -> left.add(e.event));
        inFlight.forEach(batch -> batch.forEach(e -> left.add(e.event)));
        return left;
    }

    private void wake() {
        if (pumpScheduled.compareAndSet(false, true)) {
            thread.execute(() -> {
                pumpScheduled.set(false);
                pump();
            });
        }
    }

    private void drainIncoming() {
        for (Entry e; (e = incoming.poll()) != null; ) {
            ready.addLast(e);
            readyBytes += e.size;
        }
    }

    /** Moves what is due into batches and sends as many as the in-flight limits allow. */
    private void pump() {
        long now = System.nanoTime();
        while (!waiting.isEmpty() && waiting.peek().dueNanos <= now) {
            Entry e = waiting.poll();
            e.readyNanos = now;
            ready.addLast(e);
            readyBytes += e.size;
        }
        drainIncoming();
        while (!ready.isEmpty() && inFlight.size() < policy.maxInFlightRequests()) {
            int budget = aimd.limit() - inFlightEvents;
            if (budget <= 0 && inFlightEvents > 0) {
                break;
            }
            int maxEvents = Math.max(1, Math.min(limits.maxEvents(), budget));
            boolean full = ready.size() >= maxEvents || readyBytes >= limits.maxBytes();
            long lingerDue = ready.peekFirst().readyNanos + policy.linger().toNanos();
            if (!full && !flushing && !closed && lingerDue > now) {
                scheduleAt(lingerDue);
                break;
            }
            send(takeBatch(maxEvents));
        }
        if (!waiting.isEmpty()) {
            scheduleAt(waiting.peek().dueNanos);
        }
    }

    private List<Entry> takeBatch(int maxEvents) {
        List<Entry> batch = new ArrayList<>(Math.min(maxEvents, ready.size()));
        long bytes = 0;
        while (!ready.isEmpty() && batch.size() < maxEvents) {
            Entry next = ready.peekFirst();
            if (!batch.isEmpty() && bytes + next.size > limits.maxBytes()) {
                break;
            }
            ready.pollFirst();
            readyBytes -= next.size;
            bytes += next.size;
            batch.add(next);
        }
        return batch;
    }

    private void send(List<Entry> batch) {
        inFlight.add(batch);
        inFlightEvents += batch.size();
        List<Event> events = new ArrayList<>(batch.size());
        batch.forEach(e -> events.add(e.event));
        CompletionStage<List<Outcome>> stage;
        try {
            stage = destination.deliver(List.copyOf(events));
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        stage.whenComplete((outcomes, error) -> thread.execute(() -> complete(batch, outcomes, error)));
    }

    private void complete(List<Entry> batch, List<Outcome> outcomes, Throwable error) {
        inFlight.remove(batch);
        inFlightEvents -= batch.size();
        if (error != null) {
            outcomes = Collections.nCopies(batch.size(), Outcome.retryable("destination failed: " + error));
        } else if (outcomes == null || outcomes.size() != batch.size()) {
            outcomes = Collections.nCopies(batch.size(), Outcome.rejected("destination " + name + " broke its contract: "
                    + (outcomes == null ? "no" : outcomes.size()) + " outcomes for " + batch.size() + " events"));
        }
        boolean retried = false;
        long now = System.nanoTime();
        // One due time per attempt count, so the failed entries of a batch go out again together.
        Map<Integer, Long> dueByAttempt = new HashMap<>(2);
        for (int i = 0; i < batch.size(); i++) {
            Entry entry = batch.get(i);
            Outcome outcome = outcomes.get(i);
            if (outcome instanceof Outcome.Delivered delivered) {
                notify(() -> listener.delivered(entry.event, delivered, Duration.ofNanos(now - entry.offeredNanos)));
                release(entry);
            } else if (outcome instanceof Outcome.Retryable retryable) {
                retried = true;
                long backoffDue = dueByAttempt.computeIfAbsent(entry.attempts + 1, a -> now + backoffNanos(a));
                // The service's Retry-After is a floor: never sooner than it asked, never sooner than backoff.
                retry(entry, retryable.reason(), Math.max(backoffDue, now + retryable.retryAfter().toNanos()));
            } else if (outcome instanceof Outcome.Rejected rejected) {
                notify(() -> listener.failed(entry.event, rejected.reason()));
                release(entry);
            }
        }
        if (retried) {
            aimd.onFailure();
        } else {
            aimd.onSuccess();
        }
        pump();
    }

    private void retry(Entry entry, String reason, long dueNanos) {
        entry.attempts++;
        if (entry.attempts >= policy.maxAttempts()) {
            notify(() -> listener.failed(entry.event, "gave up after " + entry.attempts + " attempts: " + reason));
            release(entry);
            return;
        }
        entry.dueNanos = dueNanos;
        waiting.add(entry);
        int attempt = entry.attempts;
        notify(() -> listener.retrying(entry.event, reason, attempt));
    }

    /** Exponential backoff with equal jitter: half the delay fixed, half random, so retries spread out. */
    private long backoffNanos(int attempt) {
        long delay = policy.backoffNanos(attempt);
        long half = delay / 2;
        return half + (half > 0 ? ThreadLocalRandom.current().nextLong(half + 1) : 0);
    }

    /** Called after the listener has heard the final outcome, so a completed flush implies it was told. */
    private void release(Entry entry) {
        bufferedBytes.addAndGet(-entry.event.jsonLength());
        if (bufferedEvents.decrementAndGet() == 0 && !drainWaiters.isEmpty()) {
            flushing = false;
            drainWaiters.forEach(w -> w.complete(null));
            drainWaiters.clear();
        }
    }

    private void scheduleAt(long dueNanos) {
        if (timer != null) {
            if (timerDueNanos <= dueNanos) {
                return;
            }
            timer.cancel(false);
        }
        timerDueNanos = dueNanos;
        timer = thread.schedule(() -> {
            timer = null;
            pump();
        }, Math.max(0, dueNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void notify(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "delivery listener of " + name + " failed", e);
        }
    }

    /** Events and event bytes an engine holds. */
    public record Stats(long events, long bytes) {}

    /** One event's delivery state. */
    private static final class Entry {
        final Event event;
        final long size;
        final long offeredNanos;
        long readyNanos;
        long dueNanos;
        int attempts;

        Entry(Event event, long size, long offeredNanos) {
            this.event = event;
            this.size = size;
            this.offeredNanos = offeredNanos;
            this.readyNanos = offeredNanos;
        }
    }
}
