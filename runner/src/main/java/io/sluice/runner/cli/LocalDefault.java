package io.sluice.runner.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sluice.kinesis.local.Kinesalite;
import io.sluice.runner.config.ConfigException;
import io.sluice.runner.config.ConfigLoader;
import io.sluice.runner.config.SluiceConfig;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * What {@code sluice serve} and {@code sluice send} run without {@code --config}: a local
 * Kinesis-compatible server (kinesalite, installed on first use into the cache folder), a stream
 * {@value #STREAM}, and a source {@value #SOURCE} with a write key made up for this run.
 */
final class LocalDefault implements AutoCloseable {

    static final String STREAM = "events";
    static final int SHARDS = 2;
    static final String SOURCE = "local";
    /** The track call from Segment's Kinesis documentation. */
    static final String DOC_TRACK_CALL =
            "{\"userId\":\"user_1\",\"event\":\"User Registered\",\"properties\":{\"plan\":\"Pro Annual\",\"account_type\":\"Facebook\"}}";

    private final Kinesalite kinesis;
    private final String writeKey;
    private final SluiceConfig config;
    private final Path settingsFile;

    private LocalDefault(Kinesalite kinesis, String writeKey, SluiceConfig config, Path settingsFile) {
        this.settingsFile = settingsFile;
        this.kinesis = kinesis;
        this.writeKey = writeKey;
        this.config = config;
    }

    static LocalDefault start(ConfigLoader loader, int port) throws ConfigException {
        Kinesalite kinesis = Kinesalite.start();
        try {
            kinesis.createStream(STREAM, SHARDS);
            byte[] random = new byte[16];
            new SecureRandom().nextBytes(random);
            String writeKey = HexFormat.of().formatHex(random);

            ObjectNode root = ConfigLoader.newTree();
            root.putObject("server").put("host", SluiceConfig.DEFAULT_HOST).put("port", port);
            // The local Kinesis lives in memory and is new each run; so is this demo's spool.
            Path dir = Files.createTempDirectory("sluice-local");
            root.putObject("spool").put("path", dir.resolve("spool.db").toString());
            ObjectNode source = root.putArray("sources").addObject().put("name", SOURCE).put("writeKey", writeKey);
            ObjectNode settings = source.putArray("destinations").addObject().put("type", "kinesis").putObject("settings")
                    .put("region", Kinesalite.REGION)
                    .put("stream", STREAM)
                    .put("endpoint", kinesis.endpoint().toString())
                    .put("accessKeyId", "local")
                    .put("secretAccessKey", "local");
            // For sluice tail, which reads the stream with the destination's own settings.
            Path settingsFile = Files.writeString(dir.resolve("kinesis-local.json"), settings.toString());
            return new LocalDefault(kinesis, writeKey, loader.fromTree(root), settingsFile);
        } catch (ConfigException | RuntimeException e) {
            kinesis.close();
            throw e;
        } catch (java.io.IOException e) {
            kinesis.close();
            throw new java.io.UncheckedIOException(e);
        }
    }

    SluiceConfig config() {
        return config;
    }

    String kinesisEndpoint() {
        return kinesis.endpoint().toString();
    }

    /**
     * Prints the throwaway write key (it exists only for this run, so printing it leaks nothing), a
     * curl line that sends the docs' track call, and the tail command to watch it arrive.
     */
    void printBanner(PrintWriter out, String baseUrl) {
        out.println();
        out.println("Sluice is running at " + baseUrl + " with the local default (no --config):");
        out.println("a local Kinesis server (kinesalite) at " + kinesisEndpoint() + " with the stream \""
                + STREAM + "\" (" + SHARDS + " shards), kept in memory until Sluice stops.");
        out.println();
        out.println("Write key of the source \"" + SOURCE + "\", generated for this run only (a configured key is never printed):");
        out.println("  " + writeKey);
        out.println();
        out.println("Send the track call from Segment's Kinesis docs:");
        out.println("  curl -u " + writeKey + ": -H 'Content-Type: application/json' \\");
        out.println("    -d '" + DOC_TRACK_CALL + "' \\");
        out.println("    " + baseUrl + "/v1/track");
        out.println();
        out.println("Watch it arrive, in another terminal:");
        out.println("  ./sluice tail --type kinesis --settings " + settingsFile + " --from earliest");
        out.println();
        out.println("Health: " + baseUrl + "/health   Metrics: " + baseUrl + "/metrics   Stop: Ctrl-C");
        out.flush();
    }

    @Override
    public void close() {
        kinesis.close();
    }
}
