package dev.berth.archive.internal;

/**
 * Tells, cheaply, whether deflate can gain almost nothing on a block: already-compressed files (jars,
 * gzip, xz, images) and random data. zlib needs as long to find that out as to compress text (about
 * 30 MB/s per core here, the bulk of {@code create}'s time on such content) and then stores the bytes
 * anyway; this answers at over 1 GB/s, so {@link ParallelGzipOutputStream} stores such a block at once.
 *
 * <p>A block is incompressible when both hold:
 * <ul>
 *   <li>its bytes' order-0 entropy is at least {@value #MIN_ENTROPY_BITS} bits per byte, so Huffman
 *       coding of literals could save under 0.5 %; and</li>
 *   <li>almost no position (under one in {@value #MATCH_RATIO}) starts a 4-byte sequence seen in the
 *       32 KiB before it (the previous block's tail included), so LZ77 has nothing to refer back to,
 *       which the entropy alone cannot tell (16 KiB of random bytes repeated has the entropy of random
 *       bytes and deflates to an eighth).</li>
 * </ul>
 * Blocks under {@value #MIN_SIZE} bytes are never called incompressible: the entropy of a small sample
 * reads low, and deflating them costs little. The answer depends only on the bytes, so the layer stays
 * reproducible.
 */
final class IncompressibleBlock {
    static final double MIN_ENTROPY_BITS = 7.96;
    static final int MATCH_RATIO = 512;
    static final int MIN_SIZE = 16 * 1024;
    private static final int WINDOW = 32 * 1024;
    private static final int HASH_BITS = 14;

    private IncompressibleBlock() {
    }

    /**
     * @param block      the block's bytes, from index 0
     * @param size       how many of them
     * @param dictionary the block before it (its last 32 KiB are deflate's window), or null
     */
    static boolean test(byte[] block, int size, byte[] dictionary) {
        return size >= MIN_SIZE && entropyBits(block, size) >= MIN_ENTROPY_BITS
                && !hasRepeats(block, size, dictionary);
    }

    /** Order-0 Shannon entropy in bits per byte. */
    static double entropyBits(byte[] b, int size) {
        int[] counts = new int[256];
        for (int i = 0; i < size; i++) {
            counts[b[i] & 0xff]++;
        }
        double sum = 0;
        for (int c : counts) {
            if (c > 0) {
                sum += c * Math.log(c);
            }
        }
        return (Math.log(size) - sum / size) / Math.log(2);
    }

    /**
     * Whether more than one position in {@value #MATCH_RATIO} starts a 4-byte sequence that also starts
     * at most 32 KiB earlier: a one-entry-per-hash table as fast LZ compressors keep, holding each entry's
     * position and its four bytes, so a hash collision never counts.
     */
    private static boolean hasRepeats(byte[] block, int size, byte[] dictionary) {
        int[] positions = new int[1 << HASH_BITS]; // in (dictionary tail ++ block), shifted by WINDOW + 1
        int[] values = new int[1 << HASH_BITS];
        int dictLen = dictionary == null ? 0 : Math.min(WINDOW, dictionary.length);
        int dictOff = dictionary == null ? 0 : dictionary.length - dictLen;
        // an empty entry (0) lies more than a window before every position
        int base = WINDOW + 1;
        for (int p = 0; p + 4 <= dictLen; p++) {
            int v = fourBytes(dictionary, dictOff + p);
            int h = hash(v);
            positions[h] = base + p;
            values[h] = v;
        }
        int limit = size / MATCH_RATIO;
        int matches = 0;
        for (int i = 0; i + 4 <= size; i++) {
            int v = fourBytes(block, i);
            int h = hash(v);
            int pos = base + dictLen + i;
            if (values[h] == v && pos - positions[h] <= WINDOW && ++matches > limit) {
                return true;
            }
            positions[h] = pos;
            values[h] = v;
        }
        return false;
    }

    private static int fourBytes(byte[] b, int i) {
        return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8 | (b[i + 2] & 0xff) << 16 | (b[i + 3] & 0xff) << 24;
    }

    private static int hash(int fourBytes) {
        return (fourBytes * 0x9E3779B1) >>> (32 - HASH_BITS);
    }
}
