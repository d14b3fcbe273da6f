package dev.berth.cli;

import dev.berth.GcResult;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code berth gc}: deletes the blobs no plugin uses. */
@Command(name = "gc", mixinStandardHelpOptions = true, description = "Delete the blobs no plugin uses.")
final class GcCommand implements Callable<Integer> {
    @ParentCommand
    Berth berth;

    @Override
    public Integer call() {
        try (Session s = new Session(berth)) {
            GcResult r = s.manager().gc();
            s.out().println("Deleted " + r.removed().size() + (r.removed().size() == 1 ? " blob" : " blobs")
                    + ", reclaimed " + ProgressPrinter.human(r.bytesFreed()));
        }
        return 0;
    }
}
