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
 * Delivers events to one destination: holds a bounded window of them in memory, batches them
 * within the destination's limits, keeps a bounded number of requests in flight, adapts the events
 * in flight with {@link Aimd} when the destination reports retryable failures, and retries only
 * the failed entries of a batch with exponential backoff and jitter.
 *
 * <p>Events come from an {@link EventFeed} (the spool: the engine asks for as many as its window
 * has room for, so a backlog stays on disk), or are {@linkplain #offer(Event) offered} directly by
 * a caller that checks {@link #hasRoomFor} first (no spool).
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
    private final EventFeed feed;
    private final EventFeed.Sink sink = this::offerFromFeed;
    /** The window's bound in events, besides {@link DeliveryPolicy#maxBufferedBytes()}: enough to keep every request full. */
    private final int maxWindowEvents;

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

    /** An engine that is offered its events directly. */
    public DeliveryEngine(String name, Destination destination, DeliveryPolicy policy, DeliveryListener listener) {
        this(name, destination, policy, listener, null);
    }

    /** An engine that takes its events from {@code feed}, as its window has room, and starts asking at once. */
    public DeliveryEngine(String name, Destination destination, DeliveryPolicy policy, DeliveryListener listener,
                          EventFeed feed) {
        this.name = name;
        this.destination = destination;
        this.policy = policy;
        this.listener = listener;
        this.limits = destination.limits();
        this.aimd = new Aimd(limits.maxEvents(), limits.maxEvents() * policy.maxInFlightRequests());
        this.maxWindowEvents = (int) Math.min(Integer.MAX_VALUE,
                Math.max(1_000L, 4L * limits.maxEvents() * policy.maxInFlightRequests()));
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sluice-delivery-" + name);
            t.setDaemon(true);
            return t;
        });
        this.feed = feed;
        if (feed != null) {
            feed.open(sink);
            thread.execute(this::askForMore);
        }
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
        offer(event, NO_POSITION);
    }

    /**
     * Takes an event that a feed handed, or one an engine that was replaced {@linkplain
     * #closeHandingBack handed back}, with its position in the feed's log.
     */
    public void offer(Event event, long position) {
        // Under the read lock, so that once close() has taken the write lock every offer that
        // passed the check has enqueued, and close() hands it back rather than stranding it.
        closing.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("delivery to " + name + " is closed");
            }
            Entry entry = new Entry(event, position, destination.sizeOf(event), System.nanoTime());
            bufferedBytes.addAndGet(event.jsonLength());
            bufferedEvents.incrementAndGet();
            incoming.add(entry);
        } finally {
            closing.readLock().unlock();
        }
        wake();
    }

    /** A feed hands events only while the engine is open; one handed as it closes stays in the log. */
    private boolean offerFromFeed(Event event, long position) {
        try {
            offer(event, position);
            return true;
        } catch (IllegalStateException closedMeanwhile) {
            return false;
        }
    }

    /** Tells the feed how much room the window has now. */
    private void askForMore() {
        if (feed != null && !closed) {
            feed.room((int) Math.max(0, maxWindowEvents - bufferedEvents.get()),
                    Math.max(0, policy.maxBufferedBytes() - bufferedBytes.get()));
        }
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
        return closeHandingBack(timeout).stream().map(HeldEvent::event).toList();
    }

    /**
     * Takes no more events, from its feed or offered; what it holds is still delivered. The first
     * step of {@link #close(Duration)}, for a caller that stops many engines at once.
     */
    public void stopTaking() {
        closing.writeLock().lock();
        try {
            closed = true;
        } finally {
            closing.writeLock().unlock();
        }
        if (feed != null) {
            feed.close(sink);
        }
    }

    /**
     * Like {@link #close(Duration)}, with each event's position in the feed's log, so that an
     * engine that replaces this one can take them over.
     */
    public List<HeldEvent> closeHandingBack(Duration timeout) {
        stopTaking();
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
        List<HeldEvent> left;
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

    private List<HeldEvent> undelivered() {
        List<HeldEvent> left = new ArrayList<>();
        drainIncoming();
        ready.forEach(e -> left.add(e.held()));
        waiting.forEach(e -> left.add(e.held()));
        inFlight.forEach(batch -> batch.forEach(e -> left.add(e.held())));
        left.sort(Comparator.comparingLong(HeldEvent::position));
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
        int delivered = 0;
        int retried = 0;
        int failed = 0;
        String reason = null;
        long now = System.nanoTime();
        // One due time per attempt count, so the failed entries of a batch go out again together.
        Map<Integer, Long> dueByAttempt = new HashMap<>(2);
        for (int i = 0; i < batch.size(); i++) {
            Entry entry = batch.get(i);
            Outcome outcome = outcomes.get(i);
            if (outcome instanceof Outcome.Delivered ok) {
                delivered++;
                notify(() -> listener.delivered(entry.event, ok, Duration.ofNanos(now - entry.offeredNanos)));
                release(entry);
            } else if (outcome instanceof Outcome.Retryable retryable) {
                reason = retryable.reason();
                long backoffDue = dueByAttempt.computeIfAbsent(entry.attempts + 1, a -> now + backoffNanos(a));
                // The service's Retry-After is a floor: never sooner than it asked, never sooner than backoff.
                if (retry(entry, retryable.reason(), Math.max(backoffDue, now + retryable.retryAfter().toNanos()))) {
                    retried++;
                } else {
                    failed++;
                }
            } else if (outcome instanceof Outcome.Rejected rejected) {
                reason = rejected.reason();
                failed++;
                fail(entry, rejected.reason(), dueByAttempt.computeIfAbsent(entry.attempts + 1, a -> now + backoffNanos(a)));
            }
        }
        if (retried > 0) {
            aimd.onFailure();
        } else {
            aimd.onSuccess();
        }
        int d = delivered;
        int r = retried;
        int f = failed;
        String latest = reason;
        notify(() -> listener.batchDone(d, r, f, latest));
        askForMore();
        pump();
    }

    /** Schedules a retry; false when the event is out of attempts and was failed instead. */
    private boolean retry(Entry entry, String reason, long dueNanos) {
        entry.attempts++;
        if (entry.attempts >= policy.maxAttempts()) {
            fail(entry, "gave up after " + entry.attempts + " attempts: " + reason, dueNanos);
            return false;
        }
        entry.dueNanos = dueNanos;
        waiting.add(entry);
        int attempt = entry.attempts;
        notify(() -> listener.retrying(entry.event, reason, attempt));
        return true;
    }

    /**
     * The event will not be delivered: the listener writes it to the dead-letter file. When that
     * write fails (the listener throws), the event is kept and sent again later, so it is never
     * released before it is recorded somewhere.
     */
    private void fail(Entry entry, String reason, long retryDueNanos) {
        try {
            listener.failed(entry.event, reason);
        } catch (RuntimeException e) {
            entry.dueNanos = retryDueNanos;
            waiting.add(entry);
            return;
        }
        release(entry);
    }

    /** Exponential backoff with equal jitter: half the delay fixed, half random, so retries spread out. */
    private long backoffNanos(int attempt) {
        long delay = policy.backoffNanos(attempt);
        long half = delay / 2;
        return half + (half > 0 ? ThreadLocalRandom.current().nextLong(half + 1) : 0);
    }

    /** Called after the listener has heard the final outcome, so a completed flush implies it was told. */
    private void release(Entry entry) {
        if (feed != null && entry.position != NO_POSITION) {
            feed.finished(entry.position, entry.event);
        }
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

    /** An event an engine held when it closed, with its position in the feed's log ({@value #NO_POSITION} without one). */
    public record HeldEvent(Event event, long position) {}

    public static final long NO_POSITION = -1;

    /** One event's delivery state. */
    private static final class Entry {
        final Event event;
        final long position;
        final long size;
        final long offeredNanos;
        long readyNanos;
        long dueNanos;
        int attempts;

        Entry(Event event, long position, long size, long offeredNanos) {
            this.event = event;
            this.position = position;
            this.size = size;
            this.offeredNanos = offeredNanos;
            this.readyNanos = offeredNanos;
        }

        HeldEvent held() {
            return new HeldEvent(event, position);
        }
    }
}
