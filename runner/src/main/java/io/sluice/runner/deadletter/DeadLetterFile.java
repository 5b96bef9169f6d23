package io.sluice.runner.deadletter;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.spec.SpecError;
import io.sluice.core.spec.SpecJson;
import io.sluice.core.spool.SpoolPolicy;
import io.sluice.spi.event.Event;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The NDJSON file of calls and events Sluice could not deliver, one JSON object a line:
 * <pre>{"time":"...","reason":"...","errors":[{"code","path","message"}],"source":"web","destination":null,"call":{...}}</pre>
 * {@code destination} is null for calls refused at intake. A line never holds a write key (intake
 * strips it from every call) nor a destination's settings. {@code sluice send} replays lines,
 * taking their {@code call}.
 *
 * <p>Appends are synchronized and written line by line: writers are engine threads and request
 * workers, lines are small, and a crash must not lose what was already dead-lettered. They follow
 * the spool's fsync policy: with {@code always} every line is fsynced before the append returns,
 * with {@code interval} the file is fsynced at most that interval after a line. The file and its
 * folder are created on the first line.
 *
 * <p>An event's line that cannot be written (a full disk, an I/O error) makes
 * {@link #undeliverable} throw, so that the event is kept in the spool and tried again; the file
 * logs once when writes start failing and once when they work again, never once per line.
 */
public final class DeadLetterFile implements AutoCloseable {

    public static final String SHUTDOWN_REASON = "shutdown before delivery";

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterFile.class);

    private final Path path;
    private final Clock clock;
    private final SpoolPolicy.Fsync fsync;
    private final AtomicLong lines = new AtomicLong();
    /** Fsyncs written lines every interval, with {@link SpoolPolicy.Fsync#INTERVAL}. */
    private final ScheduledExecutorService syncer;
    private FileChannel out;
    private boolean closed;
    private boolean unsynced;
    private boolean failing;

    /** A file that follows the default spool policy: every line fsynced. */
    public DeadLetterFile(Path path, Clock clock) {
        this(path, clock, SpoolPolicy.Fsync.ALWAYS, SpoolPolicy.DEFAULT_FSYNC_INTERVAL);
    }

    public DeadLetterFile(Path path, Clock clock, SpoolPolicy.Fsync fsync, Duration interval) {
        this.path = path;
        this.clock = clock;
        this.fsync = fsync;
        if (fsync == SpoolPolicy.Fsync.INTERVAL) {
            syncer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "sluice-dead-letter-sync");
                t.setDaemon(true);
                return t;
            });
            long every = Math.max(1, interval.toMillis());
            syncer.scheduleWithFixedDelay(this::syncNow, every, every, TimeUnit.MILLISECONDS);
        } else {
            syncer = null;
        }
    }

    public Path path() {
        return path;
    }

    /** Lines written since start. */
    public long lines() {
        return lines.get();
    }

    /**
     * A call that broke the Spec; {@code call} may be null when it was not even an object. The
     * client was told why; a line that cannot be written is only counted in the log's failure line.
     */
    public void rejected(String source, JsonNode call, List<SpecError> errors) {
        String reason = errors.isEmpty() ? "invalid call" : errors.get(0).message();
        try {
            append(reason, errors, source, null, g -> {
                if (call == null) {
                    g.writeNull();
                } else {
                    SpecJson.MAPPER.writeTree(g, call);
                }
            });
        } catch (UncheckedIOException e) {
            // already logged once by append
        }
    }

    /**
     * An event a destination refused for good, or that Sluice stopped trying to deliver.
     *
     * @throws UncheckedIOException when the line could not be written: keep the event
     */
    public void undeliverable(String source, String destination, Event event, String reason) {
        append(reason, List.of(), source, destination, g -> g.writeRawValue(event.jsonText()));
    }

    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private void append(String reason, List<SpecError> errors, String source, String destination, Body call) {
        ByteArrayOutputStream line = new ByteArrayOutputStream(512);
        try (JsonGenerator g = SpecJson.MAPPER.getFactory().createGenerator(line)) {
            g.writeStartObject();
            g.writeStringField("time", clock.instant().toString());
            g.writeStringField("reason", reason);
            g.writeArrayFieldStart("errors");
            for (SpecError e : errors) {
                g.writeStartObject();
                g.writeStringField("code", e.code().code());
                g.writeStringField("path", e.path());
                g.writeStringField("message", e.message());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeStringField("source", source);
            g.writeStringField("destination", destination);
            g.writeFieldName("call");
            call.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            LOG.error("cannot serialise a dead-letter line: {}", e.toString());
            return;
        }
        line.write('\n');
        synchronized (this) {
            if (closed) {
                throw new UncheckedIOException(new IOException("the dead-letter file " + path + " is closed"));
            }
            try {
                if (out == null) {
                    Path parent = path.toAbsolutePath().getParent();
                    if (parent != null) {
                        Files.createDirectories(parent);
                    }
                    out = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                            StandardOpenOption.WRITE);
                }
                long start = out.size();
                ByteBuffer bytes = ByteBuffer.wrap(line.toByteArray());
                try {
                    while (bytes.hasRemaining()) {
                        out.write(bytes);
                    }
                    if (fsync == SpoolPolicy.Fsync.ALWAYS) {
                        out.force(false);
                    } else {
                        unsynced = true;
                    }
                } catch (IOException e) {
                    out.truncate(start); // no half line for a reader to trip over
                    throw e;
                }
                lines.incrementAndGet();
                if (failing) {
                    failing = false;
                    LOG.info("dead-letter file {} can be written again", path);
                }
            } catch (IOException e) {
                if (!failing) {
                    failing = true;
                    LOG.error("cannot write to dead-letter file {}: {}; undelivered events stay in the spool until it can",
                            path, e.toString());
                }
                throw new UncheckedIOException(e);
            }
        }
    }

    private synchronized void syncNow() {
        if (out != null && unsynced && !closed) {
            try {
                out.force(false);
                unsynced = false;
            } catch (IOException e) {
                LOG.warn("cannot fsync dead-letter file {}: {}", path, e.toString());
            }
        }
    }

    @Override
    public void close() {
        if (syncer != null) {
            syncer.shutdownNow();
        }
        synchronized (this) {
            closed = true;
            if (out != null) {
                try {
                    out.force(false);
                    out.close();
                } catch (IOException e) {
                    LOG.warn("cannot close dead-letter file {}: {}", path, e.toString());
                }
            }
        }
    }
}
