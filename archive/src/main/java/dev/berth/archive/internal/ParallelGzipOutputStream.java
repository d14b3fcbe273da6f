package dev.berth.archive.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * One standard gzip member compressed on several cores, as pigz does: the input is cut into blocks of
 * {@value #BLOCK_SIZE} bytes at fixed offsets; each block is deflated on its own, primed with the last
 * {@value #DICTIONARY_SIZE} bytes of the block before it as the dictionary (so matches across the cut
 * are kept), and ends with a sync flush (an empty stored block) so the blocks join byte-aligned into
 * one deflate stream; only the last block is final. The CRC-32 and length trailer are computed on the
 * caller's thread, which is cheap next to deflate.
 *
 * <p>A block of already-compressed or random bytes is stored rather than deflated (see
 * {@link IncompressibleBlock}): zlib spends as long failing to compress it as compressing text.
 *
 * <p>The bytes depend only on the input and the level, never on the number of cores or on how the
 * caller split its writes: the same tar gives the same layer digest everywhere.
 *
 * <p>The header is Go's {@code gzip.NewWriter}'s (no name, time 0, OS 255), the one Docker writes.
 * Workers are daemon threads of one shared pool, one per core, that end when idle, so none holds the
 * JVM open; each stream keeps at most two blocks per worker in flight, which bounds its memory.
 * With one core, blocks are deflated on the caller's thread. Not thread-safe; closing closes the
 * sink.
 */
public final class ParallelGzipOutputStream extends OutputStream {
    /** Input bytes per block: pigz's default, small enough to keep two cores busy on a 1 MB layer. */
    static final int BLOCK_SIZE = 128 * 1024;
    /** Deflate's window: the most a block can refer back into the one before. */
    static final int DICTIONARY_SIZE = 32 * 1024;

    private static final int THREADS = Runtime.getRuntime().availableProcessors();
    private static final ThreadPoolExecutor POOL = pool();

    private final OutputStream out;
    private final int level;
    private final CRC32 crc = new CRC32();
    private final ArrayDeque<Future<byte[]>> inFlight = new ArrayDeque<>();
    private final int maxInFlight;
    private byte[] block = new byte[BLOCK_SIZE];
    private byte[] previous;
    private int fill;
    private long length;
    private boolean closed;

    /**
     * @param out   the sink; gets the header at once
     * @param level the deflate level, 1 to 9 ({@link Deflater#DEFAULT_COMPRESSION} means 6)
     */
    public ParallelGzipOutputStream(OutputStream out, int level) throws IOException {
        this.out = Objects.requireNonNull(out, "out");
        this.level = level == Deflater.DEFAULT_COMPRESSION ? 6 : level;
        if (this.level < 1 || this.level > 9) {
            throw new IllegalArgumentException("gzip level must be 1 to 9: " + level);
        }
        this.maxInFlight = THREADS > 1 ? 2 * THREADS : 0;
        // XFL as Go's writer: 2 for the best level, 4 for the fastest, else 0.
        int xfl = this.level == 9 ? 2 : this.level == 1 ? 4 : 0;
        out.write(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, (byte) xfl, (byte) 0xff});
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (closed) {
            throw new IOException("stream closed");
        }
        crc.update(b, off, len);
        length += len;
        while (len > 0) {
            int n = Math.min(len, BLOCK_SIZE - fill);
            System.arraycopy(b, off, block, fill, n);
            fill += n;
            off += n;
            len -= n;
            if (fill == BLOCK_SIZE) {
                submit(false);
            }
        }
    }

    /** Ends the member (last block, CRC-32, length) and closes the sink. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            submit(true);
            while (!inFlight.isEmpty()) {
                out.write(await(inFlight.removeFirst()));
            }
            int c = (int) crc.getValue();
            int n = (int) length; // ISIZE is the length modulo 2^32
            out.write(new byte[] {(byte) c, (byte) (c >>> 8), (byte) (c >>> 16), (byte) (c >>> 24),
                (byte) n, (byte) (n >>> 8), (byte) (n >>> 16), (byte) (n >>> 24)});
        } finally {
            inFlight.forEach(f -> f.cancel(false));
            out.close();
        }
    }

    @Override
    public void flush() throws IOException {
        // Blocks are cut at fixed offsets for reproducible bytes; a flush cannot end one early.
        out.flush();
    }

    private void submit(boolean last) throws IOException {
        byte[] input = block;
        int size = fill;
        byte[] dictionary = previous;
        if (maxInFlight == 0) {
            out.write(deflate(input, size, dictionary, level, last));
        } else {
            while (inFlight.size() >= maxInFlight) {
                out.write(await(inFlight.removeFirst()));
            }
            int lvl = level;
            inFlight.addLast(POOL.submit(() -> deflate(input, size, dictionary, lvl, last)));
        }
        if (!last) {
            previous = input;
            block = new byte[BLOCK_SIZE];
            fill = 0;
        }
    }

    private static byte[] await(Future<byte[]> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while compressing");
        } catch (ExecutionException e) {
            throw new IOException("compression failed: " + e.getCause(), e.getCause());
        }
    }

    /**
     * One block as raw deflate: byte-aligned by a sync flush unless it is the last. A block deflate
     * cannot shrink ({@link IncompressibleBlock}) is stored as is, as zlib would end up storing it.
     */
    static byte[] deflate(byte[] input, int size, byte[] dictionary, int level, boolean last) {
        boolean store = IncompressibleBlock.test(input, size, dictionary);
        Deflater deflater = new Deflater(store ? Deflater.NO_COMPRESSION : level, true);
        try {
            if (dictionary != null && !store) {
                deflater.setDictionary(dictionary, dictionary.length - DICTIONARY_SIZE, DICTIONARY_SIZE);
            }
            deflater.setInput(input, 0, size);
            ByteArrayOutputStream result = new ByteArrayOutputStream(size + (size >> 4) + 64);
            byte[] buffer = new byte[size + (size >> 4) + 64];
            if (last) {
                deflater.finish();
                while (!deflater.finished()) {
                    int n = deflater.deflate(buffer);
                    result.write(buffer, 0, n);
                }
            } else {
                while (true) {
                    int n = deflater.deflate(buffer, 0, buffer.length, Deflater.SYNC_FLUSH);
                    result.write(buffer, 0, n);
                    if (n < buffer.length && deflater.needsInput()) {
                        break;
                    }
                }
            }
            return result.toByteArray();
        } finally {
            deflater.end();
        }
    }

    private static ThreadPoolExecutor pool() {
        AtomicInteger count = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, "berth-gzip-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        ThreadPoolExecutor executor = new ThreadPoolExecutor(THREADS, THREADS, 10, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), factory);
        executor.allowCoreThreadTimeOut(true);
        return executor;
    }
}
