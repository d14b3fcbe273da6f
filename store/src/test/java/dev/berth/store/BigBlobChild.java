package dev.berth.store;

import dev.berth.content.CommitResult;
import dev.berth.content.ContentWriter;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Child JVM of {@link FileContentStoreStreamingTest}: commits a generated stream of the given size under
 * a small heap and prints {@code <digest> <millis> <committed heap bytes>}.
 */
final class BigBlobChild {
    private BigBlobChild() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        long size = Long.parseLong(args[1]);
        long start = System.nanoTime();
        FileContentStore store = FileContentStore.open(root);
        CommitResult result;
        ContentWriter writer = store.writer("big", OptionalLong.of(size), Optional.empty());
        try (InputStream in = new GeneratedStream(size)) {
            writer.transferFrom(in);
            result = writer.commit(Map.of());
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        // The heap the JVM had to commit; -Xmx bounds it, which is the point of the test.
        long committed = Runtime.getRuntime().totalMemory();
        System.out.println(result.digest() + " " + millis + " " + committed);
    }

    /** A cheap, repeatable stream: one random 64 KiB block, with each copy stamped by its index. */
    static final class GeneratedStream extends InputStream {
        private final byte[] block = new byte[64 * 1024];
        private final byte[] current = new byte[64 * 1024];
        private final long size;
        private long position;

        GeneratedStream(long size) {
            this.size = size;
            new java.util.Random(42).nextBytes(block);
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (position >= size) {
                return -1;
            }
            long index = position / block.length;
            int within = (int) (position % block.length);
            System.arraycopy(block, 0, current, 0, block.length);
            for (int i = 0; i < 8; i++) {
                current[i] ^= (byte) (index >>> (8 * i));
            }
            int n = (int) Math.min(Math.min(len, block.length - within), size - position);
            System.arraycopy(current, within, b, off, n);
            position += n;
            return n;
        }
    }
}
