package io.sluice.runner.deadletter;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.spec.SpecError;
import io.sluice.core.spec.SpecJson;
import io.sluice.spi.event.Event;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.List;
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
 * <p>Appends are synchronized and flushed line by line: writers are engine threads and request
 * workers, lines are small, and a crash must not lose what was already dead-lettered. The file
 * and its folder are created on the first line.
 */
public final class DeadLetterFile implements AutoCloseable {

    public static final String SHUTDOWN_REASON = "shutdown before delivery";

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterFile.class);

    private final Path path;
    private final Clock clock;
    private final AtomicLong lines = new AtomicLong();
    private OutputStream out;
    private boolean closed;

    public DeadLetterFile(Path path, Clock clock) {
        this.path = path;
        this.clock = clock;
    }

    public Path path() {
        return path;
    }

    /** Lines written since start. */
    public long lines() {
        return lines.get();
    }

    /** A call that broke the Spec; {@code call} may be null when it was not even an object. */
    public void rejected(String source, JsonNode call, List<SpecError> errors) {
        String reason = errors.isEmpty() ? "invalid call" : errors.get(0).message();
        append(reason, errors, source, null, g -> {
            if (call == null) {
                g.writeNull();
            } else {
                SpecJson.MAPPER.writeTree(g, call);
            }
        });
    }

    /** An event a destination refused for good, or that Sluice stopped trying to deliver. */
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
            try {
                if (closed) {
                    LOG.error("dead-letter file {} is closed; a line for source {} was lost", path, source);
                    return;
                }
                if (out == null) {
                    Path parent = path.toAbsolutePath().getParent();
                    if (parent != null) {
                        Files.createDirectories(parent);
                    }
                    out = Files.newOutputStream(path, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                            StandardOpenOption.WRITE);
                }
                line.writeTo(out);
                out.flush();
                lines.incrementAndGet();
            } catch (IOException e) {
                LOG.error("cannot append to dead-letter file {}: {}", path, e.toString());
            }
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (out != null) {
            try {
                out.close();
            } catch (IOException e) {
                LOG.warn("cannot close dead-letter file {}: {}", path, e.toString());
            }
        }
    }
}
