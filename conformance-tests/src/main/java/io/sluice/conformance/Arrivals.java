package io.sluice.conformance;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.sluice.core.spec.SpecJson;
import io.sluice.spi.event.Event;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * What a test target held when the suite looked, indexed by {@code messageId}. Messages that are
 * not UTF-8 JSON objects with a {@code messageId} are kept aside, to be named when an expected
 * message is missing.
 */
final class Arrivals {

    /** One message, at its place in arrival order. */
    record Message(int position, String messageId, JsonNode json) {}

    private final Map<String, List<Message>> byId = new LinkedHashMap<>();
    private final List<Message> inOrder = new ArrayList<>();
    private final List<String> unreadable = new ArrayList<>();

    private Arrivals(List<byte[]> messages) {
        int position = 0;
        for (byte[] bytes : messages) {
            JsonNode json = null;
            String problem;
            try {
                json = SpecJson.MAPPER.readTree(bytes);
                problem = json != null && json.path("messageId").isTextual() ? null : "no messageId";
            } catch (JsonProcessingException e) {
                problem = oneLine(String.valueOf(e.getOriginalMessage()));
            } catch (IOException e) {
                problem = e.toString();
            }
            if (problem == null) {
                Message m = new Message(position, json.get("messageId").textValue(), json);
                inOrder.add(m);
                byId.computeIfAbsent(m.messageId(), id -> new ArrayList<>()).add(m);
            } else {
                unreadable.add(problem + ": " + preview(bytes));
            }
            position++;
        }
    }

    /**
     * Reads the target until every message in {@code messageIds} has arrived, or {@code timeout}
     * has passed; either way returns what the target held at the last look.
     */
    static Arrivals await(TestTarget target, Collection<String> messageIds, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Set<String> wanted = new HashSet<>(messageIds);
        long pause = 10;
        while (true) {
            Arrivals now = of(target);
            long left = deadline - System.nanoTime();
            if (now.byId.keySet().containsAll(wanted) || left <= 0) {
                return now;
            }
            try {
                // Start quick for in-memory targets; back off for readers that scan a whole stream.
                Thread.sleep(Math.max(1, Math.min(pause, TimeUnit.NANOSECONDS.toMillis(left))));
                pause = Math.min(500, pause * 3 / 2 + 1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for the target", e);
            }
        }
    }

    static Arrivals of(TestTarget target) {
        List<byte[]> messages;
        try {
            messages = target.received();
        } catch (Exception e) {
            throw new AssertionError("the test target's reader failed: " + e, e);
        }
        return new Arrivals(messages);
    }

    int count(String messageId) {
        List<Message> list = byId.get(messageId);
        return list == null ? 0 : list.size();
    }

    /** The messages with these ids, in arrival order. */
    List<Message> inArrivalOrder(Collection<String> messageIds) {
        Set<String> ids = new HashSet<>(messageIds);
        return inOrder.stream().filter(m -> ids.contains(m.messageId())).collect(Collectors.toList());
    }

    /**
     * Every event arrived exactly once, and what arrived equals its normalised message: the same
     * JSON (key order aside) with every string identical.
     */
    void assertEachOnceAsNormalised(Collection<Event> events) {
        List<String> problems = new ArrayList<>();
        for (Event event : events) {
            int n = count(event.messageId());
            if (n != 1) {
                problems.add(event + " arrived " + n + " time(s), expected once");
                continue;
            }
            JsonNode expected;
            try {
                expected = SpecJson.MAPPER.readTree(event.jsonText());
            } catch (IOException e) {
                throw new IllegalStateException("the normalised message does not parse", e);
            }
            Optional<String> difference = JsonDiff.firstDifference(expected, byId.get(event.messageId()).get(0).json());
            difference.ifPresent(d -> problems.add(event + " arrived changed: " + d));
        }
        failIfAny(problems);
    }

    /** Every event arrived exactly once; the payload is not compared. */
    void assertEachOnce(Collection<Event> events) {
        List<String> problems = new ArrayList<>();
        for (Event event : events) {
            int n = count(event.messageId());
            if (n != 1) {
                problems.add(event + " arrived " + n + " time(s), expected once");
            }
        }
        failIfAny(problems);
    }

    void assertNoneArrived(Collection<Event> events) {
        List<String> problems = new ArrayList<>();
        for (Event event : events) {
            if (count(event.messageId()) > 0) {
                problems.add(event + " arrived but should not have");
            }
        }
        failIfAny(problems);
    }

    private void failIfAny(List<String> problems) {
        if (problems.isEmpty()) {
            return;
        }
        int limit = 5;
        String shown = problems.stream().limit(limit).collect(Collectors.joining("\n"));
        if (problems.size() > limit) {
            shown += "\n... and " + (problems.size() - limit) + " more";
        }
        shown += "\n(the target held " + inOrder.size() + " readable message(s)";
        if (!unreadable.isEmpty()) {
            shown += " and " + unreadable.size() + " that are not UTF-8 JSON with a messageId, e.g. " + unreadable.get(0);
        }
        throw new AssertionError(shown + ")");
    }

    private static String preview(byte[] bytes) {
        String text = new String(bytes, 0, Math.min(bytes.length, 120), StandardCharsets.ISO_8859_1);
        StringBuilder out = new StringBuilder();
        for (char c : text.toCharArray()) {
            out.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\x%02x", (int) c));
        }
        return out + (bytes.length > 120 ? "..." : "");
    }

    private static String oneLine(String text) {
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }
}
