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

        ServiceException(boolean retryable, String message) {
            super(message, null, false, false);
            this.retryable = retryable;
        }

        public boolean retryable() {
            return retryable;
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

    /** Stores the records of one request, all or none; completes with their sequence numbers. */
    public CompletableFuture<List<Long>> put(String token, List<byte[]> request) {
        return CompletableFuture.supplyAsync(() -> {
            if (token == null || token.isBlank()) {
                throw new ServiceException(false, "401 no token");
            }
            if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new ServiceException(true, "503 slow down, try again");
            }
            long bytes = request.stream().mapToLong(r -> r.length).sum();
            if (bytes > maxRequestBytes) {
                throw new ServiceException(false, "413 a request of " + bytes + " bytes is over the limit of "
                        + maxRequestBytes);
            }
            List<Long> sequence = new ArrayList<>(request.size());
            synchronized (records) {
                for (byte[] record : request) {
                    sequence.add((long) records.size());
                    records.add(record.clone());
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

    public void remove() {
        BY_NAME.remove(name);
    }
}
