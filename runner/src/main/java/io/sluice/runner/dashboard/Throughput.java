package io.sluice.runner.dashboard;

import io.sluice.runner.routing.EventObserver;
import io.sluice.spi.event.Event;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per destination: delivered and failed events per 10-second bucket over the last 15 minutes, in a
 * ring of 90 buckets held in memory. Keyed by destination name, which a rebuild keeps, so the
 * numbers carry on across one. The totals since start are the route's {@code DeliveryTally}.
 */
public final class Throughput implements EventObserver {

    public static final Duration BUCKET = Duration.ofSeconds(10);
    public static final int BUCKETS = 90;

    private final Clock clock;
    private final Map<String, Series> series = new ConcurrentHashMap<>();

    public Throughput(Clock clock) {
        this.clock = clock;
    }

    /**
     * Buckets oldest first; the last one is the current, still filling.
     *
     * @param start the start of the first bucket
     */
    public record Window(Instant start, long[] delivered, long[] failed) {}

    @Override
    public void delivered(String source, String destination, Event event, Map<String, String> receipt) {
        series(destination).add(now(), true);
    }

    @Override
    public void failed(String source, String destination, Event event, String reason) {
        series(destination).add(now(), false);
    }

    /** The last {@code minutes} (1 to 15) for {@code destination}. */
    public Window window(String destination, int minutes) {
        int n = (int) Math.max(1, Math.min(BUCKETS, Duration.ofMinutes(minutes).dividedBy(BUCKET)));
        long current = now();
        long first = current - n + 1;
        Series s = series.get(destination);
        long[][] values = s == null ? new long[][] {new long[n], new long[n]} : s.window(first, n);
        return new Window(Instant.ofEpochMilli(first * BUCKET.toMillis()), values[0], values[1]);
    }

    private long now() {
        return clock.millis() / BUCKET.toMillis();
    }

    private Series series(String destination) {
        return series.computeIfAbsent(destination, d -> new Series());
    }

    /** One destination's ring; each slot remembers which bucket it holds, so stale slots read as zero. */
    private static final class Series {
        private final long[] bucketOf = new long[BUCKETS];
        private final long[] delivered = new long[BUCKETS];
        private final long[] failed = new long[BUCKETS];

        Series() {
            java.util.Arrays.fill(bucketOf, -1);
        }

        synchronized void add(long bucket, boolean ok) {
            int slot = (int) Math.floorMod(bucket, (long) BUCKETS);
            if (bucketOf[slot] != bucket) {
                bucketOf[slot] = bucket;
                delivered[slot] = 0;
                failed[slot] = 0;
            }
            if (ok) {
                delivered[slot]++;
            } else {
                failed[slot]++;
            }
        }

        synchronized long[][] window(long first, int n) {
            long[] d = new long[n];
            long[] f = new long[n];
            for (int i = 0; i < n; i++) {
                long bucket = first + i;
                int slot = (int) Math.floorMod(bucket, (long) BUCKETS);
                if (bucketOf[slot] == bucket) {
                    d[i] = delivered[slot];
                    f[i] = failed[slot];
                }
            }
            return new long[][] {d, f};
        }
    }
}
