package io.sluice.runner;

import io.sluice.runner.cli.SluiceCommand;

/** The {@code sluice} executable. */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        // sluice tail builds its Kinesis client without KinesisClients.build, which would pick JSON for
        // an endpoint such as kinesalite's (it cuts CBOR replies over ~16 KiB). So every client here
        // speaks JSON unless told otherwise. The SDK reads this as a client is built: set it before any.
        if (System.getProperty("aws.cborEnabled") == null && System.getenv("CBOR_ENABLED") == null) {
            System.setProperty("aws.cborEnabled", "false");
        }
        System.exit(SluiceCommand.commandLine().execute(args));
    }
}
