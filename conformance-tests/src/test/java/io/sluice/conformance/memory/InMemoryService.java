package io.sluice.conformance.memory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for a remote service: named stores that take a request of records at a time and
 * answer asynchronously, as a network client would. A store can be told to fail its next requests
 * retryably, and refuses requests over its size limit.
 */
public final class InMemoryService {

    /** How the service says no. */
    public static final class ServiceException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final boolean retryable;
        private final boolean configuration;

        ServiceException(boolean retryable, String message) {
            this(retryable, false, message);
        }

        ServiceException(boolean retryable, boolean configuration, String message) {
            super(message, null, false, false);
            this.retryable = retryable;
            this.configuration = configuration;
        }

        public boolean retryable() {
            return retryable;
        }

        /** The request was refused because of how the client is set up (a 403): retrying alone cannot help. */
        public boolean configuration() {
            return configuration;
        }
    }

    private static final Map<String, InMemoryService> BY_NAME = new ConcurrentHashMap<>();
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static final ExecutorService NETWORK = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "in-memory-service");
        t.setDaemon(true);
        return t;
    });

    private final String name;
    private final long maxRequestBytes;
    private final List<byte[]> records = new ArrayList<>();
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicInteger refusals = new AtomicInteger();
    private final AtomicInteger forbidden = new AtomicInteger();
    private final AtomicInteger delayed = new AtomicInteger();
    private volatile long delayMillis;
    private final java.util.Set<String> recordFailures = ConcurrentHashMap.newKeySet();

    private InMemoryService(String name, long maxRequestBytes) {
        this.name = name;
        this.maxRequestBytes = maxRequestBytes;
    }

    public static InMemoryService create(long maxRequestBytes) {
        InMemoryService service = new InMemoryService("target-" + NAMES.incrementAndGet(), maxRequestBytes);
        BY_NAME.put(service.name, service);
        return service;
    }

    public static Optional<InMemoryService> find(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    public String name() {
        return name;
    }

    /**
     * Stores the records of one request; completes with their sequence numbers, {@code null} for a
     * record refused on its own (retryably, like a throttled Kinesis record).
     */
    public CompletableFuture<List<Long>> put(String token, List<byte[]> request) {
        return CompletableFuture.supplyAsync(() -> {
            if (delayed.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                try {
                    Thread.sleep(delayMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (token == null || token.isBlank()) {
                throw new ServiceException(false, "401 no token");
            }
            if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new ServiceException(true, "503 slow down, try again");
            }
            if (refusals.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new ServiceException(false, "400 the events are malformed");
            }
            if (forbidden.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new ServiceException(true, true, "403 this token may not write to " + name);
            }

            long bytes = request.stream().mapToLong(r -> r.length).sum();
            if (bytes > maxRequestBytes) {
                throw new ServiceException(false, "413 a request of " + bytes + " bytes is over the limit of "
                        + maxRequestBytes);
            }
            List<Long> sequence = new ArrayList<>(request.size());
            synchronized (records) {
                for (int i = 0; i < request.size(); i++) {
                    if (recordFailures.remove(messageId(request.get(i)))) {
                        sequence.add(null);
                    } else {
                        sequence.add((long) records.size());
                        records.add(request.get(i).clone());
                    }
                }
            }
            return sequence;
        }, NETWORK);
    }

    public List<byte[]> records() {
        synchronized (records) {
            return List.copyOf(records);
        }
    }

    /** The next {@code requests} requests fail retryably. */
    public void failNext(int requests) {
        failures.addAndGet(requests);
    }

    /** The records of these events are refused, retryably, the next time a request holds them. */
    public void failRecords(java.util.Set<String> messageIds) {
        recordFailures.addAll(messageIds);
    }

    private static String messageId(byte[] record) {
        try {
            return io.sluice.core.spec.SpecJson.MAPPER.readTree(record).path("messageId").asText();
        } catch (java.io.IOException e) {
            return "";
        }
    }

    /** The next {@code requests} requests are refused for good (a 400). */
    public void refuseNext(int requests) {
        refusals.addAndGet(requests);
    }

    /** The next {@code requests} requests are refused because of the client's setup (a 403). */
    public void forbidNext(int requests) {
        forbidden.addAndGet(requests);
    }

    /** The next {@code requests} requests are answered after {@code delay}. */
    public void delayNext(int requests, java.time.Duration delay) {
        delayMillis = delay.toMillis();
        delayed.addAndGet(requests);
    }

    public void remove() {
        BY_NAME.remove(name);
    }
}
