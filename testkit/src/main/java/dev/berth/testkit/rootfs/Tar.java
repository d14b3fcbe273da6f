package dev.berth.testkit.rootfs;

import dev.berth.rootfs.ArchiveException.Kind;
import dev.berth.rootfs.ArchiveException;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

/**
 * A minimal ustar writer and reader for the contract suites and the simple fakes. The writer builds
 * test inputs (trusted, so it only checks that a name fits the header); the reader is what the fakes
 * parse strangers' bytes with, so it checks every header's checksum, octal fields and sizes, and turns
 * every problem into an {@link ArchiveException}. It reads PAX {@code path}/{@code linkpath} records
 * (other records and global headers are skipped) so that it can also read what a real implementation
 * writes.
 */
final class Tar {
    static final int BLOCK = 512;
    static final byte FILE = '0';
    static final byte HARDLINK = '1';
    static final byte SYMLINK = '2';
    static final byte DIRECTORY = '5';
    static final byte FIFO = '6';

    private Tar() {
    }

    /** A fresh in-memory archive. */
    static Builder builder() {
        return new Builder();
    }

    /** {@code bytes} gzip-compressed. */
    static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Builds an archive in memory, entry by entry; {@link #bytes()} ends it. */
    static final class Builder {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Builder file(String name, String content) {
            return file(name, content.getBytes(StandardCharsets.UTF_8));
        }

        Builder file(String name, byte[] content) {
            return entry(name, FILE, "", content);
        }

        Builder dir(String name) {
            return entry(name.endsWith("/") ? name : name + "/", DIRECTORY, "", new byte[0]);
        }

        Builder symlink(String name, String target) {
            return entry(name, SYMLINK, target, new byte[0]);
        }

        Builder hardlink(String name, String target) {
            return entry(name, HARDLINK, target, new byte[0]);
        }

        /** Any entry, with a type flag of the caller's choice. */
        Builder entry(String name, byte type, String link, byte[] content) {
            try {
                out.write(header(name, type, link, content.length));
                out.write(content);
                out.write(new byte[padding(content.length)]);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return this;
        }

        /** Raw bytes, e.g. a damaged header. */
        Builder raw(byte[] bytes) {
            out.writeBytes(bytes);
            return this;
        }

        /** The archive so far, without its end. */
        byte[] unterminated() {
            return out.toByteArray();
        }

        /** The archive with its two zero blocks and padding to tar's customary 10 KiB record. */
        byte[] bytes() {
            byte[] body = out.toByteArray();
            int total = body.length + 2 * BLOCK;
            total += (10240 - total % 10240) % 10240;
            return Arrays.copyOf(body, total);
        }
    }

    static int padding(long size) {
        return (int) ((BLOCK - size % BLOCK) % BLOCK);
    }

    /** A ustar header; names up to 255 bytes split into prefix and name as ustar allows. */
    static byte[] header(String name, byte type, String link, long size) {
        byte[] h = new byte[BLOCK];
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        if (n.length > 100) {
            int cut = name.lastIndexOf('/', name.length() - 1);
            while (cut > 0 && (name.substring(cut + 1).getBytes(StandardCharsets.UTF_8).length > 100
                    || name.substring(0, cut).getBytes(StandardCharsets.UTF_8).length > 155)) {
                cut = name.lastIndexOf('/', cut - 1);
            }
            if (cut <= 0) {
                throw new IllegalArgumentException("name does not fit a ustar header: " + name);
            }
            put(h, 345, 155, name.substring(0, cut).getBytes(StandardCharsets.UTF_8));
            n = name.substring(cut + 1).getBytes(StandardCharsets.UTF_8);
        }
        byte[] l = link.getBytes(StandardCharsets.UTF_8);
        if (l.length > 100) {
            throw new IllegalArgumentException("link target does not fit a ustar header: " + link);
        }
        put(h, 0, 100, n);
        octal(h, 100, 8, type == DIRECTORY ? 0755 : 0644);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        octal(h, 124, 12, size);
        octal(h, 136, 12, 1_600_000_000L);
        h[156] = type;
        put(h, 157, 100, l);
        put(h, 257, 6, "ustar\0".getBytes(StandardCharsets.US_ASCII));
        put(h, 263, 2, "00".getBytes(StandardCharsets.US_ASCII));
        Arrays.fill(h, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        octal(h, 148, 7, sum);
        return h;
    }

    private static void put(byte[] h, int off, int len, byte[] value) {
        System.arraycopy(value, 0, h, off, Math.min(len, value.length));
    }

    private static void octal(byte[] h, int off, int len, long value) {
        String s = Long.toOctalString(value);
        String padded = "0".repeat(len - 1 - s.length()) + s;
        put(h, off, len - 1, padded.getBytes(StandardCharsets.US_ASCII));
    }

    /** One header as read, after PAX overrides. */
    record Entry(String name, byte type, String link, long size) {
        boolean isFile() {
            return type == FILE || type == 0 || type == '7';
        }
    }

    /**
     * Reads entries from an uncompressed tar stream. {@link #next()} skips what the previous entry's
     * data left unread; {@link #data()} reads the current entry's data.
     */
    static final class Reader {
        private final InputStream in;
        private final int maxHeaderSize;
        private long remaining;
        private int pad;
        private boolean ended;

        /** @param maxHeaderSize the largest PAX record set read */
        Reader(InputStream in, int maxHeaderSize) {
            this.in = in;
            this.maxHeaderSize = maxHeaderSize;
        }

        /** The next entry, or null at the end of the archive. */
        Entry next() throws IOException {
            if (ended) {
                return null;
            }
            skip(remaining + pad);
            remaining = 0;
            pad = 0;
            String paxPath = null;
            String paxLink = null;
            while (true) {
                byte[] h = block();
                if (h == null) {
                    throw malformed("the archive ends without its end-of-archive blocks");
                }
                if (isZero(h)) {
                    ended = true;
                    return null;
                }
                verifyChecksum(h);
                String name = string(h, 0, 100);
                String prefix = string(h, 345, 155);
                if (!prefix.isEmpty() && "ustar".equals(string(h, 257, 6))) {
                    name = prefix + "/" + name;
                }
                byte type = h[156];
                long size = octal(h, 124, 12, name);
                if (type == 'x' || type == 'g') {
                    if (size > maxHeaderSize) {
                        throw new ArchiveException(Kind.LIMIT, "tar entry \"" + name + "\" has an extended header of "
                                + size + " bytes");
                    }
                    byte[] pax = exactly((int) size);
                    skip(padding(size));
                    if (type == 'x') {
                        String[] kept = parsePax(pax, name);
                        paxPath = kept[0] != null ? kept[0] : paxPath;
                        paxLink = kept[1] != null ? kept[1] : paxLink;
                    }
                    continue;
                }
                remaining = size;
                pad = padding(size);
                String link = paxLink != null ? paxLink : string(h, 157, 100);
                return new Entry(paxPath != null ? paxPath : name, type, link, size);
            }
        }

        /** The current entry's data; reads at most its size. */
        InputStream data() {
            return new InputStream() {
                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    if (remaining == 0) {
                        return -1;
                    }
                    int n = in.read(b, off, (int) Math.min(len, remaining));
                    if (n < 0) {
                        throw malformed("the archive is truncated inside an entry's data");
                    }
                    remaining -= n;
                    return n;
                }
            };
        }

        private String[] parsePax(byte[] pax, String name) {
            String[] kept = new String[2];
            int i = 0;
            while (i < pax.length) {
                int space = i;
                while (space < pax.length && pax[space] != ' ') {
                    space++;
                }
                int len;
                try {
                    len = Integer.parseInt(new String(pax, i, space - i, StandardCharsets.US_ASCII));
                } catch (NumberFormatException e) {
                    throw malformed("tar entry \"" + name + "\" has a garbled PAX record");
                }
                if (len <= space - i + 1 || i + len > pax.length || pax[i + len - 1] != '\n') {
                    throw malformed("tar entry \"" + name + "\" has a garbled PAX record");
                }
                String record = new String(pax, space + 1, i + len - space - 2, StandardCharsets.UTF_8);
                int eq = record.indexOf('=');
                if (eq < 0) {
                    throw malformed("tar entry \"" + name + "\" has a garbled PAX record");
                }
                String key = record.substring(0, eq);
                if (key.equals("path")) {
                    kept[0] = record.substring(eq + 1);
                } else if (key.equals("linkpath")) {
                    kept[1] = record.substring(eq + 1);
                }
                i += len;
            }
            return kept;
        }

        private byte[] block() throws IOException {
            byte[] b = in.readNBytes(BLOCK);
            if (b.length == 0) {
                return null;
            }
            if (b.length < BLOCK) {
                throw malformed("the archive is truncated inside a header");
            }
            return b;
        }

        private byte[] exactly(int n) throws IOException {
            byte[] b = in.readNBytes(n);
            if (b.length < n) {
                throw malformed("the archive is truncated inside an extended header");
            }
            return b;
        }

        private void skip(long n) throws IOException {
            try {
                in.skipNBytes(n);
            } catch (EOFException e) {
                throw malformed("the archive is truncated inside an entry's data");
            }
        }

        private static boolean isZero(byte[] h) {
            for (byte b : h) {
                if (b != 0) {
                    return false;
                }
            }
            return true;
        }

        private static void verifyChecksum(byte[] h) {
            long sum = 0;
            for (int i = 0; i < BLOCK; i++) {
                sum += i >= 148 && i < 156 ? ' ' : h[i] & 0xff;
            }
            if (octal(h, 148, 8, "header") != sum) {
                throw malformed("a tar header has a wrong checksum");
            }
        }

        private static long octal(byte[] h, int off, int len, String name) {
            long v = 0;
            int i = off;
            int end = off + len;
            while (i < end && h[i] == ' ') {
                i++;
            }
            boolean digits = false;
            for (; i < end && h[i] != 0 && h[i] != ' '; i++) {
                if (h[i] < '0' || h[i] > '7' || v > (Long.MAX_VALUE >> 3)) {
                    throw malformed("tar entry \"" + name + "\" has a garbled number field");
                }
                v = v * 8 + (h[i] - '0');
                digits = true;
            }
            if (!digits) {
                throw malformed("tar entry \"" + name + "\" has an empty number field");
            }
            return v;
        }

        private static String string(byte[] h, int off, int len) {
            int end = off;
            while (end < off + len && h[end] != 0) {
                end++;
            }
            return new String(h, off, end - off, StandardCharsets.UTF_8);
        }
    }

    /** Writes a tar stream entry by entry; the caller supplies each file's bytes, exactly its size. */
    static final class Writer {
        private final OutputStream out;
        private long pendingPad;

        Writer(OutputStream out) {
            this.out = out;
        }

        void put(String name, byte type, String link, long size) throws IOException {
            out.write(new byte[(int) pendingPad]);
            out.write(header(name, type, link, size));
            pendingPad = padding(size);
        }

        void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        void finish() throws IOException {
            out.write(new byte[(int) pendingPad + 2 * BLOCK]);
            pendingPad = 0;
            out.flush();
        }
    }

    static ArchiveException malformed(String message) {
        return new ArchiveException(Kind.MALFORMED, message);
    }
}
