package io.sluice.runner.reliability;

import io.sluice.kinesis.local.Kinesalite;
import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** A kinesalite server whose node process the test can kill with SIGKILL. */
final class LocalKinesis implements AutoCloseable {

    private final Kinesalite kinesalite;
    private final List<ProcessHandle> processes;

    private LocalKinesis(Kinesalite kinesalite, List<ProcessHandle> processes) {
        this.kinesalite = kinesalite;
        this.processes = processes;
    }

    /** Starts kinesalite and finds its node process among this JVM's children. */
    static synchronized LocalKinesis start() {
        Set<Long> before = ProcessHandle.current().children().map(ProcessHandle::pid).collect(Collectors.toSet());
        Kinesalite kinesalite = Kinesalite.start();
        List<ProcessHandle> started = ProcessHandle.current().children()
                .filter(p -> !before.contains(p.pid()))
                .filter(p -> p.info().commandLine().orElse("").contains("kinesalite"))
                .toList();
        if (started.size() != 1) {
            kinesalite.close();
            throw new IllegalStateException("expected one new kinesalite process, found " + started);
        }
        return new LocalKinesis(kinesalite, started);
    }

    Kinesalite kinesalite() {
        return kinesalite;
    }

    URI endpoint() {
        return kinesalite.endpoint();
    }

    void createStream(String name, int shards) {
        kinesalite.createStream(name, shards);
    }

    /** SIGKILL: the server dies at once and, being in memory, loses every record it held. */
    void kill() throws Exception {
        for (ProcessHandle p : processes) {
            p.destroyForcibly();
            p.onExit().get(30, TimeUnit.SECONDS);
        }
        kinesalite.close();
    }

    @Override
    public void close() {
        kinesalite.close();
    }
}
