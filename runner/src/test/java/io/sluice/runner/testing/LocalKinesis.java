package io.sluice.runner.testing;

import io.sluice.kinesis.local.Kinesalite;
import java.net.URI;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A local Kinesis server (kinesalite) for the tests of one class, started before the first and
 * stopped after the last: {@code @RegisterExtension static final LocalKinesis kinesis = new LocalKinesis();}
 */
public final class LocalKinesis implements BeforeAllCallback, AfterAllCallback {

    private Kinesalite server;

    @Override
    public void beforeAll(ExtensionContext context) {
        server = Kinesalite.start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (server != null) {
            server.close();
        }
    }

    public Kinesalite server() {
        if (server == null) {
            throw new IllegalStateException("LocalKinesis is used outside the test class that registers it");
        }
        return server;
    }

    public URI endpoint() {
        return server().endpoint();
    }

    public void createStream(String name, int shards) {
        server().createStream(name, shards);
    }
}
