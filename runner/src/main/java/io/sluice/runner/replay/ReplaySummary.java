package io.sluice.runner.replay;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;

/** What {@code sluice send} did: events sent, calls rejected (by code), events delivered and failed. */
public final class ReplaySummary {

    /** A rejection code's count and the first place it was seen. */
    public record Rejections(long count, String firstOrigin, String firstMessage) {}

    private long sent;
    private final Map<String, Rejections> rejected = new LinkedHashMap<>();
    private final Map<String, Long> delivered = new LinkedHashMap<>();
    private final Map<String, Long> failures = new LinkedHashMap<>();

    synchronized void sent(long events) {
        sent += events;
    }

    synchronized void rejected(String code, String origin, String message) {
        rejected.merge(code, new Rejections(1, origin, message),
                (a, b) -> new Rejections(a.count() + 1, a.firstOrigin(), a.firstMessage()));
    }

    synchronized void delivered(String destination, long events) {
        delivered.merge(destination, events, Long::sum);
    }

    synchronized void failed(String reason, long events) {
        failures.merge(reason, events, Long::sum);
    }

    public synchronized long sent() {
        return sent;
    }

    public synchronized long rejectedCount() {
        return rejected.values().stream().mapToLong(Rejections::count).sum();
    }

    public synchronized Map<String, Rejections> rejected() {
        return new LinkedHashMap<>(rejected);
    }

    public synchronized long failedCount() {
        return failures.values().stream().mapToLong(Long::longValue).sum();
    }

    public synchronized Map<String, Long> failures() {
        return new LinkedHashMap<>(failures);
    }

    public synchronized Map<String, Long> delivered() {
        return new LinkedHashMap<>(delivered);
    }

    public boolean clean() {
        return rejectedCount() == 0 && failedCount() == 0;
    }

    public synchronized void print(PrintWriter out) {
        out.printf("sent:      %d event(s)%n", sent);
        delivered.forEach((d, n) -> out.printf("delivered: %d to %s%n", n, d));
        out.printf("rejected:  %d call(s)%n", rejectedCount());
        rejected.forEach((code, r) -> out.printf("  %6d  %-20s first at %s: %s%n", r.count(), code, r.firstOrigin(),
                r.firstMessage()));
        out.printf("failed:    %d event(s)%n", failedCount());
        failures.forEach((reason, n) -> out.printf("  %6d  %s%n", n, reason));
        out.flush();
    }
}
