package io.sluice.runner;

import io.sluice.runner.cli.SluiceCommand;

/** The {@code sluice} executable. */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        System.exit(SluiceCommand.commandLine().execute(args));
    }
}
