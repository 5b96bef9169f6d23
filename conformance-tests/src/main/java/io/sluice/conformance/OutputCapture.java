package io.sluice.conformance;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Captures what is logged and printed while it is open: every {@code java.util.logging} record at
 * every level (where {@code System.Logger} goes unless another logging backend is installed), and
 * {@code System.out} and {@code System.err}, which still reach the console as well.
 */
final class OutputCapture implements AutoCloseable {

    private final Logger root = Logger.getLogger("");
    private final Level rootLevel = root.getLevel();
    private final PrintStream out = System.out;
    private final PrintStream err = System.err;
    private final StringBuffer logged = new StringBuffer();
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final Handler handler;

    OutputCapture() {
        SimpleFormatter formatter = new SimpleFormatter();
        handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                logged.append(formatter.format(record));
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        handler.setLevel(Level.ALL);
        // Lower the root level so debug records are created at all; the console handlers keep
        // their own levels, so the console does not fill up with them.
        root.setLevel(Level.ALL);
        root.addHandler(handler);
        System.setOut(new PrintStream(new Tee(out, printed), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new Tee(err, printed), true, StandardCharsets.UTF_8));
    }

    /** Everything logged and printed so far. */
    String text() {
        System.out.flush();
        System.err.flush();
        synchronized (printed) {
            return logged + "\n" + printed.toString(StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() {
        System.setOut(out);
        System.setErr(err);
        root.removeHandler(handler);
        root.setLevel(rootLevel);
    }

    /** Writes to the original stream and to the capture. */
    private static final class Tee extends OutputStream {
        private final OutputStream original;
        private final ByteArrayOutputStream copy;

        Tee(OutputStream original, ByteArrayOutputStream copy) {
            this.original = original;
            this.copy = copy;
        }

        @Override
        public void write(int b) {
            synchronized (copy) {
                copy.write(b);
            }
            try {
                original.write(b);
            } catch (java.io.IOException e) {
                // the console is gone; the copy is what matters here
            }
        }

        @Override
        public void write(byte[] b, int off, int len) {
            synchronized (copy) {
                copy.write(b, off, len);
            }
            try {
                original.write(b, off, len);
            } catch (java.io.IOException e) {
                // as above
            }
        }

        @Override
        public void flush() {
            try {
                original.flush();
            } catch (java.io.IOException e) {
                // as above
            }
        }
    }
}
