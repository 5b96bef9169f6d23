package io.sluice.runner;

import io.sluice.runner.cli.SluiceCommand;

/** The {@code sluice} executable. */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        // kinesalite cuts CBOR replies over ~16 KiB, and AWS speaks JSON just as well. The SDK reads
        // this when a client is built, so it must be set before any is; an explicit setting wins.
        if (System.getProperty("aws.cborEnabled") == null && System.getenv("CBOR_ENABLED") == null) {
            System.setProperty("aws.cborEnabled", "false");
        }
        System.exit(SluiceCommand.commandLine().execute(args));
    }
}
