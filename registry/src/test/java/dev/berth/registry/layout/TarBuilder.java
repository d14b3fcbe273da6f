package dev.berth.registry.layout;

import dev.berth.oci.Digest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Builds tar bytes entry by entry, including entries no honest writer makes, for the hostile-archive tests. */
final class TarBuilder {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** A regular file. */
    TarBuilder file(String name, byte[] data) {
        return entry(name, '0', data);
    }

    TarBuilder file(String name, String data) {
        return file(name, data.getBytes(StandardCharsets.UTF_8));
    }

    /** A blob file named after its digest. */
    TarBuilder blob(byte[] data) {
        return file("blobs/sha256/" + Digest.sha256(data).hex(), data);
    }

    TarBuilder dir(String name) {
        return entry(name, '5', new byte[0]);
    }

    /** An entry of any type, with {@code data} as its body (a link target goes into the link-name field). */
    TarBuilder entry(String name, char type, byte[] data) {
        byte[] h = TarIndex.header(name.length() <= 100 ? name : "x", data.length, false);
        if (name.length() > 100) {
            java.util.Arrays.fill(h, 0, 100, (byte) 0);
            byte[] n = name.getBytes(StandardCharsets.UTF_8);
            System.arraycopy(n, 0, h, 0, Math.min(100, n.length));
        }
        h[156] = (byte) type;
        rechecksum(h);
        out.writeBytes(h);
        out.writeBytes(data);
        out.writeBytes(new byte[TarIndex.padding(data.length)]);
        return this;
    }

    /** A link: type 1 or 2, target in the link-name field. */
    TarBuilder link(String name, char type, String target) {
        byte[] h = TarIndex.header(name, 0, false);
        h[156] = (byte) type;
        byte[] t = target.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(t, 0, h, 157, t.length);
        rechecksum(h);
        out.writeBytes(h);
        return this;
    }

    /** A PAX extended header with the given records, applying to the next entry. */
    TarBuilder pax(String... keyValues) {
        StringBuilder body = new StringBuilder();
        for (String kv : keyValues) {
            int base = kv.getBytes(StandardCharsets.UTF_8).length + 2; // the space and the newline
            int len = base + String.valueOf(base).length();
            if (String.valueOf(len).length() > String.valueOf(base).length()) {
                len++;
            }
            body.append(len).append(' ').append(kv).append('\n');
        }
        return entry("PaxHeader", 'x', body.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Raw bytes, e.g. a damaged header. */
    TarBuilder raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    byte[] end() {
        out.writeBytes(new byte[1024]);
        return out.toByteArray();
    }

    /** Without the closing zero blocks. */
    byte[] bytes() {
        return out.toByteArray();
    }

    static void rechecksum(byte[] h) {
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        String s = String.format("%06o", sum);
        byte[] o = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(o, 0, h, 148, 6);
        h[154] = 0;
        h[155] = ' ';
    }
}
