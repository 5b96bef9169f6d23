package io.sluice.runner.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The admin state in one local JSON file, for one node (the default). The file is rewritten whole
 * on every change: to a temporary file beside it, forced to disk, then moved over it atomically,
 * with owner-only permissions where the file system has them. Sessions stay in memory.
 *
 * <pre>{"version":1,"revision":7,"destinations":[{"source":"web","name":"web/kinesis","version":7,...}]}</pre>
 */
final class FileAdminStore implements AdminStore {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    static final int VERSION = 1;

    private final Path file;
    private final SessionStore sessions = new SessionStore.InMemory();
    private final Map<String, Row> rows = new LinkedHashMap<>();
    private long revision;

    /** @throws IllegalStateException naming the file when it cannot be read */
    FileAdminStore(Path file) {
        this.file = file;
        if (Files.exists(file)) {
            read();
        }
    }

    private void read() {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(file + ": the admin state file is not valid JSON"
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()), e);
        } catch (IOException e) {
            throw new IllegalStateException(file + ": the admin state file cannot be read: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject() || root.path("version").asInt() != VERSION || !root.path("destinations").isArray()) {
            throw new IllegalStateException(file + ": not a Sluice admin state file (version " + VERSION + ")");
        }
        // Files written before versions were kept: every entry is at version 1.
        revision = Math.max(1, root.path("revision").asLong(1));
        for (JsonNode item : root.get("destinations")) {
            if (!item.isObject()) {
                throw new IllegalStateException(file + ": every entry must be a JSON object");
            }
            ObjectNode entry = ((ObjectNode) item).deepCopy();
            long version = entry.path("version").asLong(1);
            entry.remove("version");
            String name = entry.path("name").asText("");
            rows.put(name, new Row(name, version, entry));
        }
    }

    @Override
    public synchronized Optional<Snapshot> readIfNewer(long knownRevision) {
        return revision == knownRevision ? Optional.empty() : Optional.of(new Snapshot(revision, List.copyOf(rows.values())));
    }

    @Override
    public synchronized long write(String name, Optional<ObjectNode> entry, long expectedVersion) {
        Row before = rows.get(name);
        long current = before == null ? 0 : before.version();
        if (expectedVersion >= 0 && expectedVersion != current) {
            throw new StaleVersionException(name);
        }
        long next = revision + 1;
        if (entry.isPresent()) {
            rows.put(name, new Row(name, next, entry.get()));
        } else {
            rows.remove(name);
        }
        try {
            save(next);
        } catch (RuntimeException e) {
            if (before == null) {
                rows.remove(name);
            } else {
                rows.put(name, before);
            }
            throw e;
        }
        revision = next;
        return next;
    }

    @Override
    public SessionStore sessions() {
        return sessions;
    }

    @Override
    public String describe() {
        return file.toString();
    }

    private void save(long next) {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", VERSION);
        root.put("revision", next);
        ArrayNode list = root.putArray("destinations");
        for (Row row : new ArrayList<>(rows.values())) {
            ObjectNode item = row.entry().deepCopy();
            item.put("version", row.version());
            list.add(item);
        }
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path temp = dir.resolve("." + file.getFileName() + ".tmp");
            Files.deleteIfExists(temp);
            try {
                Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(temp);
            }
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                channel.write(java.nio.ByteBuffer.wrap(JSON.writeValueAsBytes(root)));
                channel.force(true);
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": the admin state file cannot be written: " + e.getMessage(), e);
        }
    }
}
