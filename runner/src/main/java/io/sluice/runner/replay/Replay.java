package io.sluice.runner.replay;

import io.sluice.core.intake.Intake;
import io.sluice.core.intake.IntakeResult;
import io.sluice.core.intake.RejectedCall;
import io.sluice.core.spec.RequestException;
import io.sluice.core.spec.SpecError;
import io.sluice.runner.routing.Admission;
import io.sluice.runner.routing.Pipeline;
import io.sluice.runner.routing.Route;
import io.sluice.runner.routing.Source;
import java.io.BufferedReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * {@code sluice send}: replays calls through the same intake, routing and engines as the HTTP
 * API, for one source. Where the server would answer 429, it waits for room; at the end it waits
 * for the engines to drain, within a timeout.
 */
public final class Replay {

    static final Duration FULL_PAUSE = Duration.ofMillis(20);

    private final Intake intake;
    private final Pipeline pipeline;
    private final Source source;
    private final Duration timeout;

    /**
     * @param timeout the longest the whole replay waits for buffer room and for delivery
     */
    public Replay(Intake intake, Pipeline pipeline, Source source, Duration timeout) {
        this.intake = intake;
        this.pipeline = pipeline;
        this.source = source;
        this.timeout = timeout;
    }

    public ReplaySummary run(InputStream input, ProgressDisplay progress) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        ReplaySummary summary = new ReplaySummary();
        CountingInputStream counted = new CountingInputStream(input);
        CallReader reader = new CallReader(new CallReader.Sink() {
            @Override
            public void batch(byte[] body, List<String> origins) throws InterruptedException {
                send(body, origins, summary, deadline);
                progress.update(counted.count, summary.sent(), summary.rejectedCount());
            }

            @Override
            public void unreadable(String origin, String code, String message) {
                summary.rejected(code, origin, message);
            }
        });
        reader.read(new BufferedReader(new InputStreamReader(counted, StandardCharsets.UTF_8)));
        progress.done(counted.count, summary.sent(), summary.rejectedCount());

        // What is still held at the deadline is dead-lettered by drain and counted as failed.
        pipeline.drain(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        for (Route route : source.routes()) {
            summary.delivered(route.name(), route.tally().delivered());
            route.tally().failures().forEach((reason, n) -> summary.failed(route.name() + ": " + reason, n));
        }
        return summary;
    }

    private void send(byte[] body, List<String> origins, ReplaySummary summary, long deadline) throws InterruptedException {
        IntakeResult result;
        try {
            result = intake.readBatch(body);
        } catch (RequestException e) {
            // CallReader keeps batches within the limits; this is a bug, not bad input.
            throw new IllegalStateException("a replay batch was refused: " + e.getMessage(), e);
        }
        for (RejectedCall rejected : result.rejected()) {
            SpecError first = rejected.errors().get(0);
            summary.rejected(first.code().code(), origin(rejected.path(), origins), first.message());
        }
        if (result.accepted().isEmpty()) {
            return;
        }
        while (true) {
            Admission admission = pipeline.admit(source, result.accepted());
            if (admission instanceof Admission.Accepted accepted) {
                summary.sent(accepted.events());
                return;
            }
            if (admission instanceof Admission.Closed || System.nanoTime() > deadline) {
                summary.failed("not sent: the delivery buffer stayed full until the timeout", result.accepted().size());
                return;
            }
            Thread.sleep(FULL_PAUSE.toMillis());
        }
    }

    /** {@code $.batch[3]} of a chunk -> the origin of its fourth call. */
    private static String origin(String path, List<String> origins) {
        if (path.startsWith("$.batch[")) {
            int end = path.indexOf(']');
            try {
                int index = Integer.parseInt(path.substring("$.batch[".length(), end));
                if (index >= 0 && index < origins.size()) {
                    return origins.get(index);
                }
            } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
                // fall through
            }
        }
        return path;
    }

    /** Counts bytes read, for the progress bar. */
    private static final class CountingInputStream extends FilterInputStream {
        volatile long count;

        CountingInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}
