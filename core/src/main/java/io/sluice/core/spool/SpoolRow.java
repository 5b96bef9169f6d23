package io.sluice.core.spool;

import io.sluice.spi.event.Event;
import io.sluice.spi.event.EventType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.BitSet;
import java.util.List;
import java.util.TreeMap;

/**
 * The events of one append (one request) as one row: SQLite's cost is mostly per row, and a
 * batch of 100 events as one row costs little more than one event. Each event keeps a position of
 * its own ({@code first_seq} + its index), so readers still move one event at a time.
 *
 * <p>The {@code events} column holds each event as a record: its length (so a reader not routed
 * to it skips it), its readers, its payload length and received-at time, then its other columns
 * and payload. The {@code tally} column holds, per reader, the events and payload bytes routed to
 * it, so a restart counts each backlog without reading the payloads.
 */
final class SpoolRow {

    static final String CREATE = "CREATE TABLE IF NOT EXISTS batches (first_seq INTEGER PRIMARY KEY,"
            + " count INTEGER NOT NULL, bytes INTEGER NOT NULL, received_at_ms INTEGER NOT NULL,"
            + " tally BLOB NOT NULL, events BLOB NOT NULL)";
    static final String INSERT = "INSERT INTO batches (first_seq, count, bytes, received_at_ms, tally, events)"
            + " VALUES (?,?,?,?,?,?)";

    private SpoolRow() {}

    /** Writes {@code events}, each routed to the readers in {@code routes} at the same index, from position {@code first}. */
    static void insert(PreparedStatement insert, long first, List<Event> events, List<BitSet> routes) throws SQLException {
        TreeMap<Integer, long[]> tally = new TreeMap<>();
        long bytes = 0;
        long oldest = Long.MAX_VALUE;
        Record[] records = new Record[events.size()];
        int total = 0;
        for (int i = 0; i < events.size(); i++) {
            Event e = events.get(i);
            BitSet readers = routes.get(i);
            for (int id = readers.nextSetBit(0); id >= 0; id = readers.nextSetBit(id + 1)) {
                long[] counts = tally.computeIfAbsent(id, k -> new long[2]);
                counts[0]++;
                counts[1] += e.jsonLength();
            }
            bytes += e.jsonLength();
            oldest = Math.min(oldest, e.receivedAt().toEpochMilli());
            records[i] = new Record(e, readers);
            total += records[i].length;
        }
        // Sized first, then each record written in place: the row's bytes are copied once.
        ByteBuffer all = ByteBuffer.allocate(total);
        for (Record record : records) {
            record.writeTo(all);
        }
        ByteBuffer tallies = ByteBuffer.allocate(tally.size() * 20);
        tally.forEach((id, counts) -> tallies.putInt(id).putLong(counts[0]).putLong(counts[1]));
        insert.setLong(1, first);
        insert.setInt(2, events.size());
        insert.setLong(3, bytes);
        insert.setLong(4, oldest);
        insert.setBytes(5, tallies.array());
        insert.setBytes(6, all.array());
        insert.executeUpdate();
    }

    /** One event's record: its variable parts encoded, so its length is known before it is written. */
    private static final class Record {
        final Event event;
        final byte[] routes;
        final byte[][] text;
        final int length;

        Record(Event e, BitSet readers) {
            event = e;
            routes = readers.toByteArray();
            if (routes.length > 255) {
                throw new IllegalArgumentException("reader ids above 2039 do not fit a spool row");
            }
            text = new byte[][] {
                e.type().wireName().getBytes(StandardCharsets.UTF_8),
                utf8(e.messageId()),
                utf8(e.userId().orElse(null)),
                utf8(e.anonymousId().orElse(null)),
                utf8(e.previousId().orElse(null)),
                utf8(e.groupId().orElse(null)),
                utf8(e.eventName().orElse(null)),
            };
            int size = 4 + 1 + routes.length + 4 + 8 + 8 + e.jsonLength();
            for (byte[] t : text) {
                size += 4 + (t == null ? 0 : t.length);
            }
            length = size;
        }

        void writeTo(ByteBuffer out) {
            out.putInt(length).put((byte) routes.length).put(routes).putInt(event.jsonLength())
                    .putLong(event.receivedAt().toEpochMilli()).putLong(event.timestamp().toEpochMilli());
            for (byte[] t : text) {
                out.putInt(t == null ? -1 : t.length);
                if (t != null) {
                    out.put(t);
                }
            }
            out.put(event.json());
        }
    }

    private static byte[] utf8(String value) {
        return value == null ? null : value.getBytes(StandardCharsets.UTF_8);
    }

    /** The events and payload bytes of a row routed to reader {@code id}, from its tally: {events, bytes}. */
    static long[] tallyOf(byte[] tally, int id) {
        ByteBuffer in = ByteBuffer.wrap(tally);
        while (in.remaining() >= 20) {
            int reader = in.getInt();
            long events = in.getLong();
            long bytes = in.getLong();
            if (reader == id) {
                return new long[] {events, bytes};
            }
        }
        return new long[] {0, 0};
    }

    /** Walks the events of a row; an event's columns are decoded only when asked for. */
    static final class Records {
        private final ByteBuffer in;
        private long seq;
        private int start;
        private int next;
        private BitSet readers;
        private int jsonLength;
        private long receivedAtMillis;

        Records(byte[] events, long first) {
            this.in = ByteBuffer.wrap(events);
            this.seq = first - 1;
        }

        /** Moves to the next event; false after the last. */
        boolean next() {
            if (next >= in.limit()) {
                return false;
            }
            start = next;
            in.position(start);
            next = start + in.getInt();
            byte[] routes = new byte[in.get() & 0xff];
            in.get(routes);
            readers = BitSet.valueOf(routes);
            jsonLength = in.getInt();
            receivedAtMillis = in.getLong();
            seq++;
            return true;
        }

        long seq() {
            return seq;
        }

        boolean routedTo(int id) {
            return readers.get(id);
        }

        BitSet readers() {
            return readers;
        }

        int jsonLength() {
            return jsonLength;
        }

        long receivedAtMillis() {
            return receivedAtMillis;
        }

        Event event() {
            in.position(start + 4 + 1 + (in.get(start + 4) & 0xff) + 4 + 8);
            long timestamp = in.getLong();
            String type = text();
            String messageId = text();
            String userId = text();
            String anonymousId = text();
            String previousId = text();
            String groupId = text();
            String eventName = text();
            byte[] json = new byte[jsonLength];
            in.get(json);
            return Event.builder(EventType.fromWireName(type).orElseThrow(), messageId, json)
                    .userId(userId)
                    .anonymousId(anonymousId)
                    .previousId(previousId)
                    .groupId(groupId)
                    .eventName(eventName)
                    .timestamp(Instant.ofEpochMilli(timestamp))
                    .receivedAt(Instant.ofEpochMilli(receivedAtMillis))
                    .build();
        }

        private String text() {
            int length = in.getInt();
            if (length < 0) {
                return null;
            }
            String value = new String(in.array(), in.position(), length, StandardCharsets.UTF_8);
            in.position(in.position() + length);
            return value;
        }
    }
}
