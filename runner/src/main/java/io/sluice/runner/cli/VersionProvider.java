package io.sluice.runner.cli;

import picocli.CommandLine;

/** The version from the jar's manifest, or {@code development} when run from classes. */
final class VersionProvider implements CommandLine.IVersionProvider {

    @Override
    public String[] getVersion() {
        String version = SluiceCommand.class.getPackage().getImplementationVersion();
        return new String[] {"sluice " + (version == null ? "development" : version),
                "Java " + System.getProperty("java.version")};
    }
}
