package io.sluice.core.spool;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Appends forever, printing each messageId once its append is acknowledged; the test SIGKILLs it. */
public final class SpoolCrashChild {

    public static void main(String[] args) {
        Spool spool = Spool.open(Path.of(args[0]), SpoolPolicy.defaults()
                .withFsync(SpoolPolicy.Fsync.INTERVAL, java.time.Duration.ofSeconds(60)));
        for (int i = 0; i < 1_000_000; i++) {
            String id = "m" + i;
            spool.append(Map.of(SpoolTest.event(id), List.of("d"))).join();
            System.out.println(id);
            System.out.flush();
        }
    }
}
