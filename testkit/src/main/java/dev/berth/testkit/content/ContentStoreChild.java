package dev.berth.testkit.content;

import dev.berth.content.ContentStore;
import dev.berth.content.ContentWriter;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The second JVM of {@link ContentStoreContract}'s cross-process cases. Not for direct use.
 *
 * <p>Arguments: {@code <opener class> <root> <hold|crash> <ref> <bytes> <seed>}. It opens the store,
 * opens a writer on {@code ref} and writes {@code bytes} bytes of the contract's seeded content, then
 * prints {@value #READY}. With {@code hold} it keeps the writer open until its standard input ends,
 * then closes it and exits 0; with {@code crash} it halts the JVM at once, leaving the ingest exactly
 * as a killed process would.
 */
public final class ContentStoreChild {
    /** The line printed once the writer holds the ref and the bytes are written. */
    public static final String READY = "READY";

    private ContentStoreChild() {
    }

    /** Entry point of the child JVM. */
    public static void main(String[] args) throws Exception {
        // The child runs on the class path, so a test's package-private opener is reachable.
        var constructor = Class.forName(args[0]).getDeclaredConstructor();
        constructor.setAccessible(true);
        ContentStoreOpener opener = (ContentStoreOpener) constructor.newInstance();
        ContentStore store = opener.open(Path.of(args[1]));
        String mode = args[2];
        String ref = args[3];
        int size = Integer.parseInt(args[4]);
        long seed = Long.parseLong(args[5]);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        ContentWriter writer = store.writer(ref);
        writer.write(ContentStoreContract.content(seed, size));
        out.println(READY);
        if (mode.equals("crash")) {
            Runtime.getRuntime().halt(137);
        }
        InputStream in = System.in;
        while (in.read() >= 0) {
            // wait for the parent to close our standard input
        }
        writer.close();
        out.println("CLOSED");
    }
}
