package dev.berth.registry.layout;

import dev.berth.rootfs.ArchiveException;
import dev.berth.rootfs.ArchiveException.Kind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The table of contents of a tar file, read by walking its headers and skipping the data: which regular
 * file lies at which offset, so its bytes can be streamed later without unpacking anything. The grammar is
 * deliberately narrow, because an image layout needs nothing more: regular files and directories, named by
 * ustar, PAX {@code path} or GNU long-name records. Everything else is refused with an
 * {@link ArchiveException}: links, devices, FIFOs and unknown types ({@link Kind#MALFORMED}); names that
 * are absolute or contain {@code ..} ({@link Kind#BREAKOUT}); duplicate names, bad checksums, bad numbers,
 * invalid UTF-8 and truncated data ({@link Kind#MALFORMED}); too many entries and oversized extended
 * headers or names ({@link Kind#LIMIT}).
 */
final class TarIndex {
    /** At most this many entries; an OCI layout of even hundreds of plugins has far fewer. */
    static final int MAX_ENTRIES = 65_536;
    /** The largest PAX or GNU long-name record read. */
    static final int MAX_EXTENDED_HEADER = 64 << 10;
    /** The longest name accepted (the attack catalog's path cap). */
    static final int MAX_NAME = 4096;

    private static final int BLOCK = 512;

    /**
     * A regular file of the tar.
     *
     * @param name   its normalized name (no {@code ./}, no trailing {@code /})
     * @param offset where its data starts
     * @param size   how many bytes of data it has
     */
    record Entry(String name, long offset, long size) {
    }

    private TarIndex() {
    }

    /**
     * Walks the tar from the channel's start.
     *
     * @return the regular files by name, in archive order
     * @throws ArchiveException for anything outside the grammar above
     * @throws IOException      when the channel cannot be read
     */
    static Map<String, Entry> read(SeekableByteChannel ch) throws IOException {
        long length = ch.size();
        Map<String, Entry> files = new LinkedHashMap<>();
        Map<String, Boolean> seen = new LinkedHashMap<>();
        byte[] header = new byte[BLOCK];
        long pos = 0;
        String longName = null;
        Long paxSize = null;
        int count = 0;
        while (true) {
            if (pos == length) {
                // Go's reader accepts a tar that ends without its two zero blocks; so do we
                return files;
            }
            readFully(ch, pos, header);
            if (isZero(header)) {
                return files;
            }
            checkChecksum(header);
            if (++count > MAX_ENTRIES) {
                throw new ArchiveException(Kind.LIMIT, "the archive has more than " + MAX_ENTRIES + " entries");
            }
            byte type = header[156];
            long size = number(header, 124, 12, "size");
            long data = pos + BLOCK;
            switch (type) {
                case 'x', 'g', 'L' -> {
                    if (size > MAX_EXTENDED_HEADER) {
                        throw new ArchiveException(Kind.LIMIT, "a tar extended header (type " + (char) type + ") of "
                                + size + " bytes is larger than the limit of " + MAX_EXTENDED_HEADER);
                    }
                    checkInside(data, size, length);
                    byte[] body = new byte[(int) size];
                    readFully(ch, data, body);
                    if (type == 'L') {
                        longName = utf8(trimNul(body), "GNU long name");
                    } else if (type == 'x') {
                        Map<String, String> records = pax(body);
                        if (records.containsKey("path")) {
                            longName = records.get("path");
                        }
                        if (records.containsKey("size")) {
                            paxSize = decimal(records.get("size"));
                        }
                    } // 'g': global records hold nothing an image layout needs
                    pos = data + padded(size);
                    continue;
                }
                case '0', '\0', '7', '5' -> {
                    String raw = longName != null ? longName : ustarName(header);
                    if (paxSize != null) {
                        size = paxSize;
                    }
                    longName = null;
                    paxSize = null;
                    boolean dir = type == '5' || raw.endsWith("/");
                    String name = normalize(raw);
                    if (seen.put(name, dir) != null) {
                        throw new ArchiveException(Kind.MALFORMED, "tar entry \"" + name + "\" appears twice");
                    }
                    checkInside(data, size, length);
                    if (!dir) {
                        files.put(name, new Entry(name, data, size));
                    } else if (size != 0 && type == '5') {
                        throw new ArchiveException(Kind.MALFORMED, "tar directory \"" + name + "\" has data");
                    }
                    pos = data + padded(size);
                }
                case '1', '2' -> throw new ArchiveException(Kind.MALFORMED, "tar entry \"" + ustarName(header)
                        + "\" is a " + (type == '1' ? "hard link" : "symbolic link")
                        + "; an OCI archive holds only files and directories");
                case '3', '4', '6' -> throw new ArchiveException(Kind.MALFORMED, "tar entry \"" + ustarName(header)
                        + "\" is a device or FIFO; an OCI archive holds only files and directories");
                default -> throw new ArchiveException(Kind.MALFORMED, "tar entry \"" + ustarName(header)
                        + "\" has the unsupported type " + typeName(type));
            }
        }
    }

    private static String typeName(byte type) {
        return type >= 0x20 && type < 0x7f ? "'" + (char) type + "'" : "0x" + Integer.toHexString(type & 0xff);
    }

    /** A name without {@code ./} and trailing {@code /}, refused if absolute, climbing, empty or odd. */
    static String normalize(String raw) {
        if (raw.length() > MAX_NAME) {
            throw new ArchiveException(Kind.LIMIT, "a tar entry name of " + raw.length() + " characters is longer than "
                    + MAX_NAME);
        }
        if (raw.indexOf('\0') >= 0 || raw.indexOf('\\') >= 0) {
            throw new ArchiveException(Kind.MALFORMED, "tar entry \"" + printable(raw)
                    + "\" has a NUL or backslash in its name");
        }
        if (raw.startsWith("/")) {
            throw new ArchiveException(Kind.BREAKOUT, "tar entry \"" + raw + "\" has an absolute name");
        }
        StringBuilder out = new StringBuilder();
        for (String part : raw.split("/", -1)) {
            if (part.equals("..")) {
                throw new ArchiveException(Kind.BREAKOUT, "tar entry \"" + raw + "\" would leave the archive's root");
            }
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (out.length() > 0) {
                out.append('/');
            }
            out.append(part);
        }
        return out.length() == 0 ? "." : out.toString();
    }

    private static String printable(String s) {
        return s.replace("\0", "\\0");
    }

    /** The ustar name: {@code prefix/name} for POSIX ustar headers, {@code name} otherwise. */
    private static String ustarName(byte[] h) {
        String name = utf8(field(h, 0, 100), "name");
        boolean ustar = h[257] == 'u' && h[258] == 's' && h[259] == 't' && h[260] == 'a' && h[261] == 'r'
                && h[262] == 0 && h[263] == '0' && h[264] == '0';
        if (ustar) {
            String prefix = utf8(field(h, 345, 155), "name prefix");
            if (!prefix.isEmpty()) {
                return prefix + "/" + name;
            }
        }
        return name;
    }

    private static byte[] field(byte[] h, int offset, int length) {
        int end = offset;
        while (end < offset + length && h[end] != 0) {
            end++;
        }
        byte[] out = new byte[end - offset];
        System.arraycopy(h, offset, out, 0, out.length);
        return out;
    }

    private static byte[] trimNul(byte[] b) {
        int end = b.length;
        while (end > 0 && b[end - 1] == 0) {
            end--;
        }
        byte[] out = new byte[end];
        System.arraycopy(b, 0, out, 0, end);
        return out;
    }

    private static String utf8(byte[] bytes, String what) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ArchiveException(Kind.MALFORMED, "a tar header's " + what + " is not valid UTF-8");
        }
    }

    /** PAX records {@code "<len> <key>=<value>\n"}; later keys replace earlier ones, as in Go. */
    private static Map<String, String> pax(byte[] body) {
        Map<String, String> records = new LinkedHashMap<>();
        int at = 0;
        while (at < body.length) {
            int space = at;
            while (space < body.length && space - at < 9 && body[space] >= '0' && body[space] <= '9') {
                space++;
            }
            if (space == at || space >= body.length || body[space] != ' ') {
                throw new ArchiveException(Kind.MALFORMED, "a PAX header record has no valid length");
            }
            long len = Long.parseLong(new String(body, at, space - at, StandardCharsets.US_ASCII));
            if (len < space - at + 3 || len > body.length - at || body[(int) (at + len - 1)] != '\n') {
                throw new ArchiveException(Kind.MALFORMED, "a PAX header record has a wrong length");
            }
            String record = utf8(java.util.Arrays.copyOfRange(body, space + 1, (int) (at + len - 1)), "PAX record");
            int eq = record.indexOf('=');
            if (eq <= 0) {
                throw new ArchiveException(Kind.MALFORMED, "a PAX header record has no key");
            }
            records.put(record.substring(0, eq), record.substring(eq + 1));
            at += (int) len;
        }
        return records;
    }

    private static long decimal(String text) {
        if (text.isEmpty() || text.length() > 18 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new ArchiveException(Kind.MALFORMED, "a PAX size \"" + text + "\" is not a number");
        }
        return Long.parseLong(text);
    }

    /** An octal field (NUL or space padded), or a positive base-256 one, as Go's reader takes them. */
    static long number(byte[] h, int offset, int length, String what) {
        if ((h[offset] & 0x80) != 0) {
            if ((h[offset] & 0x40) != 0) {
                throw new ArchiveException(Kind.MALFORMED, "a tar header has a negative " + what);
            }
            long v = h[offset] & 0x3f;
            for (int i = offset + 1; i < offset + length; i++) {
                if (v > (Long.MAX_VALUE >>> 8)) {
                    throw new ArchiveException(Kind.MALFORMED, "a tar header's " + what + " is out of range");
                }
                v = (v << 8) | (h[i] & 0xff);
            }
            return v;
        }
        int i = offset;
        int end = offset + length;
        while (i < end && (h[i] == ' ' || h[i] == 0)) {
            i++;
        }
        long v = 0;
        boolean digits = false;
        for (; i < end && h[i] != 0 && h[i] != ' '; i++) {
            if (h[i] < '0' || h[i] > '7') {
                throw new ArchiveException(Kind.MALFORMED, "a tar header's " + what + " is not an octal number");
            }
            v = v * 8 + (h[i] - '0');
            digits = true;
        }
        for (; i < end; i++) {
            if (h[i] != 0 && h[i] != ' ') {
                throw new ArchiveException(Kind.MALFORMED, "a tar header's " + what + " is not an octal number");
            }
        }
        return digits ? v : 0;
    }

    private static void checkChecksum(byte[] h) {
        long stored = number(h, 148, 8, "checksum");
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < BLOCK; i++) {
            int b = i >= 148 && i < 156 ? ' ' : h[i];
            unsigned += b & 0xff;
            signed += b;
        }
        if (stored != unsigned && stored != signed) {
            throw new ArchiveException(Kind.MALFORMED, "a tar header has a wrong checksum (a damaged or non-tar file)");
        }
    }

    private static void checkInside(long data, long size, long length) {
        if (size < 0 || size > length - data) {
            throw new ArchiveException(Kind.MALFORMED, "the archive is truncated: an entry of " + size
                    + " bytes runs past its end");
        }
    }

    private static long padded(long size) {
        return (size + BLOCK - 1) / BLOCK * BLOCK;
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private static void readFully(SeekableByteChannel ch, long pos, byte[] into) throws IOException {
        ch.position(pos);
        ByteBuffer buf = ByteBuffer.wrap(into);
        while (buf.hasRemaining()) {
            if (ch.read(buf) < 0) {
                throw new ArchiveException(Kind.MALFORMED, "the archive is truncated inside a tar header");
            }
        }
    }

    /** The ustar header of a file or directory, as {@link OciArchiveWriter} writes them. */
    static byte[] header(String name, long size, boolean dir) {
        byte[] h = new byte[BLOCK];
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        if (n.length <= 100) {
            System.arraycopy(n, 0, h, 0, n.length);
        } else {
            int slash = name.lastIndexOf('/');
            byte[] prefix = name.substring(0, slash).getBytes(StandardCharsets.UTF_8);
            byte[] base = name.substring(slash + 1).getBytes(StandardCharsets.UTF_8);
            if (slash < 0 || prefix.length > 155 || base.length > 100) {
                throw new IllegalArgumentException("name too long for a ustar header: " + name);
            }
            System.arraycopy(base, 0, h, 0, base.length);
            System.arraycopy(prefix, 0, h, 345, prefix.length);
        }
        octal(h, 100, 8, dir ? 0755 : 0644);
        octal(h, 108, 8, 0);
        octal(h, 116, 8, 0);
        if (size < 077777777777L) {
            octal(h, 124, 12, size);
        } else { // past 8 GiB: base-256, as GNU tar and Go write it
            h[124] = (byte) 0x80;
            for (int i = 0; i < 8; i++) {
                h[135 - i] = (byte) (size >>> (8 * i));
            }
        }
        octal(h, 136, 12, 0);
        h[156] = (byte) (dir ? '5' : '0');
        System.arraycopy("ustar\00000".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 8);
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        octal(h, 148, 7, sum);
        return h;
    }

    private static void octal(byte[] h, int offset, int length, long value) {
        String s = Long.toOctalString(value);
        if (s.length() > length - 1) {
            throw new IllegalArgumentException("value " + value + " does not fit a " + length + "-byte tar field");
        }
        for (int i = 0; i < length - 1; i++) {
            int from = s.length() - (length - 1 - i);
            h[offset + i] = (byte) (from >= 0 ? s.charAt(from) : '0');
        }
        h[offset + length - 1] = 0;
    }

    /** How many bytes of zero padding follow {@code size} bytes of data. */
    static int padding(long size) {
        return (int) (padded(size) - size);
    }
}
