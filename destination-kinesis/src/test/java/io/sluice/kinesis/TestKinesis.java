package io.sluice.kinesis;

import io.sluice.kinesis.local.Kinesalite;
import io.sluice.spi.Destination;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.services.kinesis.model.Record;

/** The shared local Kinesis of a test run, with what tests need around it. */
final class TestKinesis implements AutoCloseable {

    static final String ACCESS_KEY_ID = "AKIDLOCALTEST";
    static final String SECRET = "local-secret-never-shown-9f3b";
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    private final Kinesalite server;

    private TestKinesis(Kinesalite server) {
        this.server = server;
    }

    static TestKinesis start() {
        return new TestKinesis(Kinesalite.start());
    }

    URI endpoint() {
        return server.endpoint();
    }

    Kinesalite server() {
        return server;
    }

    /** A new ACTIVE stream with a name no other test uses. */
    String newStream(int shards) {
        String name = "test-" + UUID.randomUUID();
        server.createStream(name, shards);
        return name;
    }

    /** Valid settings that write to {@code stream} on this server; tests change what they need. */
    Map<String, Object> settings(String stream) {
        Map<String, Object> settings = new HashMap<>();
        settings.put("stream", stream);
        settings.put("region", Kinesalite.REGION);
        settings.put("accessKeyId", ACCESS_KEY_ID);
        settings.put("secretAccessKey", SECRET);
        settings.put("endpoint", server.endpoint().toString());
        return settings;
    }

    /** A destination made the way Sluice makes one: found by id, settings parsed, then opened. */
    static Destination open(Map<String, Object> settings) {
        KinesisDestinationProvider provider = new KinesisDestinationProvider();
        Destination destination = provider.create(provider.settingsSchema().parse(settings));
        destination.open();
        return destination;
    }

    /**
     * The stream's records once it holds at least {@code expected}, or what it holds at the deadline;
     * callers assert on the count, so a shortfall fails there with the real number.
     */
    List<Record> awaitRecords(String stream, int expected) {
        long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
        List<Record> records = server.records(stream);
        while (records.size() < expected && System.nanoTime() < deadline) {
            pause();
            records = server.records(stream);
        }
        return records;
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
