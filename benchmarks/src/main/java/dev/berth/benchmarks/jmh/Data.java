package dev.berth.benchmarks.jmh;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.SplittableRandom;

/** Deterministic inputs shaped like real plugin layers: random (incompressible) bytes and base64 text. */
final class Data {
    private Data() {
    }

    /** {@code size} pseudo-random bytes, the same for the same seed. */
    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < size; i += 8) {
            long v = r.nextLong();
            for (int j = 0; j < 8 && i + j < size; j++) {
                b[i + j] = (byte) (v >>> (8 * j));
            }
        }
        return b;
    }

    /** {@code size} bytes of base64 lines: text that deflate shrinks to about 75 %, like the small files of §7. */
    static byte[] text(int size, long seed) {
        byte[] raw = random(size * 3 / 4 + 3, seed);
        byte[] b64 = Base64.getMimeEncoder().encodeToString(raw).getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[size];
        System.arraycopy(b64, 0, out, 0, Math.min(size, b64.length));
        return out;
    }
}
