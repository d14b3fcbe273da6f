package dev.berth.store;

import dev.berth.content.ContentWriter;
import dev.berth.oci.Digest;
import dev.berth.testkit.content.ContentStoreContract;
import java.nio.file.Path;
import java.util.Map;

/**
 * Child JVM of {@link FileContentStoreCrashTest}: commits seeded content and halts the JVM, as a
 * killed process would stop, when the commit reaches the named step.
 *
 * <p>Arguments: {@code <root> <step> <ref> <size> <seed>}. Exits 99 when halted at the step, 0 if the
 * step was never reached.
 */
final class CommitCrashChild {
    static final int HALTED = 99;

    private CommitCrashChild() {
    }

    public static void main(String[] args) throws Exception {
        String step = args[1];
        FileContentStore store = FileContentStore.builder(Path.of(args[0]))
                .failpoint(reached -> {
                    if (reached.equals(step)) {
                        Runtime.getRuntime().halt(HALTED);
                    }
                })
                .open();
        byte[] content = ContentStoreContract.content(Long.parseLong(args[4]), Integer.parseInt(args[3]));
        ContentWriter writer = store.writer(args[2], content.length, Digest.sha256(content));
        writer.write(content);
        writer.commit(content.length, Digest.sha256(content), Map.of("written-by", "child"));
    }
}
