package io.sluice.runner.replay;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Shows {@code sluice send}'s progress on stderr: a redrawn bar when stderr is a terminal, else a
 * plain line every {@link #PLAIN_INTERVAL_NANOS} so logs stay readable.
 */
public final class ProgressDisplay {

    static final long BAR_INTERVAL_NANOS = 100_000_000L;
    static final long PLAIN_INTERVAL_NANOS = 5_000_000_000L;
    private static final int WIDTH = 30;

    private final PrintWriter err;
    private final boolean terminal;
    private final long totalBytes;
    private long lastDraw;
    private boolean drawn;

    /**
     * @param totalBytes the input's size, or -1 when unknown (stdin)
     */
    public ProgressDisplay(PrintWriter err, boolean terminal, long totalBytes) {
        this.err = err;
        this.terminal = terminal;
        this.totalBytes = totalBytes;
        this.lastDraw = System.nanoTime();
    }

    /** Whether this process's stderr is a terminal (Linux: fd 2 links to a tty device). */
    public static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return System.console() != null;
        }
    }

    void update(long bytesRead, long sent, long rejected) {
        long now = System.nanoTime();
        if (now - lastDraw < (terminal ? BAR_INTERVAL_NANOS : PLAIN_INTERVAL_NANOS)) {
            return;
        }
        lastDraw = now;
        draw(bytesRead, sent, rejected);
    }

    void done(long bytesRead, long sent, long rejected) {
        if (terminal) {
            draw(bytesRead, sent, rejected);
            err.println();
        } else if (drawn) {
            draw(bytesRead, sent, rejected);
        }
        err.flush();
    }

    private void draw(long bytesRead, long sent, long rejected) {
        drawn = true;
        String counts = sent + " sent, " + rejected + " rejected";
        if (!terminal) {
            err.println("sluice send: " + counts + (totalBytes > 0 ? " (" + percent(bytesRead) + "%)" : ""));
        } else if (totalBytes > 0) {
            int filled = (int) (WIDTH * Math.min(1.0, (double) bytesRead / totalBytes));
            err.print("\r[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] "
                    + String.format("%3d%%", percent(bytesRead)) + "  " + counts + "   ");
        } else {
            err.print("\r" + counts + "   ");
        }
        err.flush();
    }

    private int percent(long bytesRead) {
        return (int) Math.min(100, bytesRead * 100 / Math.max(1, totalBytes));
    }
}
