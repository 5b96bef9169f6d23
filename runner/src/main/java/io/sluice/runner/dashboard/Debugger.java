package io.sluice.runner.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.core.intake.RejectedCall;
import io.sluice.core.spec.SpecError;
import io.sluice.core.spec.SpecJson;
import io.sluice.runner.routing.EventObserver;
import io.sluice.spi.event.Event;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live debugger's memory: the last {@value #PER_SOURCE} calls of each source, accepted or
 * refused, each with its validation result and what each destination did with it (for a delivered
 * Kinesis record: partition key, shard and sequence number).
 *
 * <p>Listeners (the dashboard's server-sent events) get every entry on subscribing, then each
 * entry again whenever it changes. Changes are sent in batches every {@value #FLUSH_MS} ms, at most
 * one message per entry per batch, so a busy source costs the listeners a bounded rate, and nothing
 * when nobody is listening.
 */
public final class Debugger implements EventObserver, AutoCloseable {

    public static final int PER_SOURCE = 50;
    static final long FLUSH_MS = 250;
    private static final int MAX_PER_FLUSH = 200;
    private static final Logger LOG = LoggerFactory.getLogger(Debugger.class);

    /** Receives entries as JSON; the dashboard's SSE connections implement it. */
    public interface Listener {
        /** @return false when the listener is gone and should be dropped */
        boolean send(String json);
    }

    private final Clock clock;
    private final AtomicLong sequence = new AtomicLong();
    private final Map<String, Ring> rings = new ConcurrentHashMap<>();
    private final Set<Listener> listeners = new CopyOnWriteArraySet<>();
    private final Set<Entry> dirty = new LinkedHashSet<>();
    /** Started with the first listener: without one, the debugger costs no thread. */
    private ScheduledExecutorService flusher;
    private boolean closed;

    public Debugger(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void rejected(String source, RejectedCall call) {
        JsonNode payload = call.call() == null ? null : call.call().deepCopy();
        if (payload instanceof ObjectNode object) {
            object.remove("writeKey");
        }
        Entry entry = new Entry(sequence.incrementAndGet(), source, clock.instant(), payload, call.errors(), call.path());
        ring(source).add(entry, null);
        changed(entry);
    }

    @Override
    public void accepted(String source, Event event, List<String> destinations) {
        Entry entry = new Entry(sequence.incrementAndGet(), source, clock.instant(), event, destinations);
        ring(source).add(entry, event);
        changed(entry);
    }

    @Override
    public void delivered(String source, String destination, Event event, Map<String, String> receipt) {
        update(source, event, destination, "delivered", null, receipt);
    }

    @Override
    public void retrying(String source, String destination, Event event, String reason, int attempt) {
        update(source, event, destination, "retrying", reason + " (attempt " + attempt + ")", Map.of());
    }

    @Override
    public void failed(String source, String destination, Event event, String reason) {
        update(source, event, destination, "failed", reason, Map.of());
    }

    private void update(String source, Event event, String destination, String status, String reason,
                        Map<String, String> receipt) {
        Ring ring = rings.get(source);
        Entry entry = ring == null ? null : ring.find(event);
        if (entry != null) {
            synchronized (ring) {
                entry.outcomes.put(destination, new DestinationOutcome(status, reason, receipt));
            }
            changed(entry);
        }
    }

    /** Every entry held, per source oldest first, as a JSON array. */
    public ArrayNode snapshot() {
        ArrayNode all = SpecJson.MAPPER.createArrayNode();
        for (Ring ring : rings.values()) {
            ring.entries().forEach(e -> all.add(ring.render(e)));
        }
        return all;
    }

    /** Sends every entry held to {@code listener}, then each change. */
    public void subscribe(Listener listener) {
        synchronized (this) {
            if (closed) {
                return;
            }
            if (flusher == null) {
                flusher = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "sluice-debugger");
                    t.setDaemon(true);
                    return t;
                });
                flusher.scheduleWithFixedDelay(this::flush, FLUSH_MS, FLUSH_MS, TimeUnit.MILLISECONDS);
            }
        }
        listeners.add(listener);
        for (Ring ring : rings.values()) {
            for (Entry e : ring.entries()) {
                if (!listener.send(json(ring.render(e)))) {
                    listeners.remove(listener);
                    return;
                }
            }
        }
    }

    public void unsubscribe(Listener listener) {
        listeners.remove(listener);
    }

    private Ring ring(String source) {
        return rings.computeIfAbsent(source, s -> new Ring());
    }

    private void changed(Entry entry) {
        if (listeners.isEmpty()) {
            return;
        }
        synchronized (dirty) {
            dirty.add(entry);
        }
    }

    private void flush() {
        try {
            List<Entry> batch;
            synchronized (dirty) {
                if (dirty.isEmpty()) {
                    return;
                }
                batch = new ArrayList<>(dirty);
                dirty.clear();
            }
            if (listeners.isEmpty()) {
                return;
            }
            // The newest matter most on a busy source.
            List<Entry> send = batch.size() > MAX_PER_FLUSH ? batch.subList(batch.size() - MAX_PER_FLUSH, batch.size()) : batch;
            for (Entry entry : send) {
                Ring ring = rings.get(entry.source);
                if (ring == null || entry.evicted) {
                    continue;
                }
                String json = json(ring.render(entry));
                for (Listener listener : listeners) {
                    if (!listener.send(json)) {
                        listeners.remove(listener);
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("the debugger feed failed: {}", e.toString());
        }
    }

    private static String json(ObjectNode node) {
        try {
            return SpecJson.MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stops sending to listeners; entries are still kept. */
    @Override
    public synchronized void close() {
        closed = true;
        if (flusher != null) {
            flusher.shutdownNow();
        }
        listeners.clear();
    }

    /** One destination's outcome for an entry. */
    private record DestinationOutcome(String status, String reason, Map<String, String> receipt) {}

    /** One call: accepted (with its event) or refused (with its errors). */
    private static final class Entry {
        final long seq;
        final String source;
        final Instant at;
        final Event event;
        final List<SpecError> errors;
        final String path;
        final Map<String, DestinationOutcome> outcomes = new LinkedHashMap<>();
        /** The call as shown: a refused call's from the start, an event's parsed on its first render. */
        JsonNode payload;
        boolean evicted;

        Entry(long seq, String source, Instant at, Event event, List<String> destinations) {
            this.seq = seq;
            this.source = source;
            this.at = at;
            this.event = event;
            this.errors = List.of();
            this.path = null;
            destinations.forEach(d -> outcomes.put(d, new DestinationOutcome("pending", null, Map.of())));
        }

        Entry(long seq, String source, Instant at, JsonNode call, List<SpecError> errors, String path) {
            this.seq = seq;
            this.source = source;
            this.at = at;
            this.event = null;
            this.payload = call;
            this.errors = List.copyOf(errors);
            this.path = path;
        }
    }

    /** A source's last entries; its lock guards them and their outcomes. */
    private static final class Ring {
        private final ArrayDeque<Entry> entries = new ArrayDeque<>();
        private final Map<Event, Entry> byEvent = new IdentityHashMap<>();

        synchronized void add(Entry entry, Event event) {
            if (entries.size() == PER_SOURCE) {
                Entry old = entries.removeFirst();
                old.evicted = true;
                if (old.event != null) {
                    byEvent.remove(old.event);
                }
            }
            entries.addLast(entry);
            if (event != null) {
                byEvent.put(event, entry);
            }
        }

        synchronized Entry find(Event event) {
            return byEvent.get(event);
        }

        synchronized List<Entry> entries() {
            return new ArrayList<>(entries);
        }

        synchronized ObjectNode render(Entry e) {
            ObjectNode node = SpecJson.MAPPER.createObjectNode();
            node.put("id", "e" + e.seq);
            node.put("seq", e.seq);
            node.put("source", e.source);
            node.put("time", e.at.toString());
            ObjectNode validation = node.putObject("validation");
            if (e.event != null) {
                Event event = e.event;
                node.put("type", event.type().wireName());
                node.put("messageId", event.messageId());
                event.eventName().ifPresent(n -> node.put("event", n));
                event.userId().ifPresent(u -> node.put("userId", u));
                event.anonymousId().ifPresent(a -> node.put("anonymousId", a));
                validation.put("valid", true);
                validation.putArray("errors");
                if (e.payload == null) {
                    try {
                        e.payload = SpecJson.MAPPER.readTree(event.jsonText());
                    } catch (JsonProcessingException ex) {
                        e.payload = SpecJson.MAPPER.getNodeFactory().textNode(event.jsonText());
                    }
                }
            } else {
                JsonNode call = e.payload;
                if (call != null && call.isObject()) {
                    if (call.path("type").isTextual()) {
                        node.put("type", call.get("type").asText());
                    }
                    if (call.path("messageId").isTextual()) {
                        node.put("messageId", call.get("messageId").asText());
                    }
                    if (call.path("event").isTextual()) {
                        node.put("event", call.get("event").asText());
                    }
                    if (call.path("userId").isTextual()) {
                        node.put("userId", call.get("userId").asText());
                    }
                    if (call.path("anonymousId").isTextual()) {
                        node.put("anonymousId", call.get("anonymousId").asText());
                    }
                }
                validation.put("valid", false);
                if (e.path != null) {
                    validation.put("path", e.path);
                }
                ArrayNode errors = validation.putArray("errors");
                for (SpecError error : e.errors) {
                    errors.addObject().put("code", error.code().code()).put("path", error.path())
                            .put("message", error.message());
                }
            }
            ArrayNode destinations = node.putArray("destinations");
            e.outcomes.forEach((name, outcome) -> {
                ObjectNode d = destinations.addObject().put("name", name).put("status", outcome.status());
                if (outcome.reason() != null) {
                    d.put("reason", outcome.reason());
                }
                if (!outcome.receipt().isEmpty()) {
                    ObjectNode receipt = d.putObject("receipt");
                    new java.util.TreeMap<>(outcome.receipt()).forEach(receipt::put);
                }
            });
            if (e.payload != null) {
                node.set("payload", e.payload);
            }
            return node;
        }
    }
}
