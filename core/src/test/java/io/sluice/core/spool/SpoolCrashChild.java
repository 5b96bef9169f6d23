package io.sluice.core.spool;

import java.nio.file.Path;
import java.util.List;

/** Appends forever, printing each messageId once its append is acknowledged; the test SIGKILLs it. */
public final class SpoolCrashChild {

    public static void main(String[] args) {
        Spool spool = Spool.open(Path.of(args[0]), SpoolPolicy.defaults()
                .withFsync(SpoolPolicy.Fsync.INTERVAL, java.time.Duration.ofSeconds(60)));
        SpoolReader reader = spool.reader("d");
        for (int i = 0; i < 1_000_000; i++) {
            String id = "m" + i;
            spool.append(List.of(new Spool.Routed(SpoolTest.event(id), List.of(reader)))).join();
            System.out.println(id);
            System.out.flush();
        }
    }
}
