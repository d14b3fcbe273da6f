package dev.berth.archive;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.util.function.Consumer;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/** Builds hostile and ordinary tar archives in memory, names kept exactly as given. */
final class TarBuilder {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final TarArchiveOutputStream tar;

    TarBuilder() {
        this(TarArchiveOutputStream.LONGFILE_POSIX);
    }

    TarBuilder(int longFileMode) {
        tar = new TarArchiveOutputStream(bytes, 512);
        tar.setLongFileMode(longFileMode);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    }

    static TarBuilder tar() {
        return new TarBuilder();
    }

    TarBuilder file(String name, String content) {
        return file(name, content.getBytes(StandardCharsets.UTF_8), 0644);
    }

    TarBuilder file(String name, byte[] content, int mode) {
        return entry(name, TarConstants.LF_NORMAL, e -> {
            e.setMode(mode);
            e.setSize(content.length);
        }, content);
    }

    TarBuilder dir(String name) {
        return dir(name, 0755);
    }

    TarBuilder dir(String name, int mode) {
        return entry(name, TarConstants.LF_DIR, e -> e.setMode(mode), null);
    }

    TarBuilder symlink(String name, String target) {
        return entry(name, TarConstants.LF_SYMLINK, e -> {
            e.setLinkName(target);
            e.setMode(0777);
        }, null);
    }

    TarBuilder hardlink(String name, String target) {
        return entry(name, TarConstants.LF_LINK, e -> e.setLinkName(target), null);
    }

    TarBuilder fifo(String name) {
        return entry(name, TarConstants.LF_FIFO, e -> e.setMode(0644), null);
    }

    TarBuilder device(String name, byte type, int major, int minor) {
        return entry(name, type, e -> {
            e.setMode(0666);
            e.setDevMajor(major);
            e.setDevMinor(minor);
        }, null);
    }

    /** A PAX extended header record set for the next entry, written by hand. */
    TarBuilder pax(String... keyValues) {
        StringBuilder records = new StringBuilder();
        for (int i = 0; i < keyValues.length; i += 2) {
            String body = " " + keyValues[i] + "=" + keyValues[i + 1] + "\n";
            int length = body.getBytes(StandardCharsets.UTF_8).length;
            int total = length + String.valueOf(length).length();
            if (String.valueOf(total).length() != String.valueOf(length).length()) {
                total++;
            }
            records.append(total).append(body);
        }
        byte[] data = records.toString().getBytes(StandardCharsets.UTF_8);
        return entry("PaxHeaders/x", TarConstants.LF_PAX_EXTENDED_HEADER_LC, e -> e.setSize(data.length), data);
    }

    /** A GNU long-name record for the next entry, written by hand. */
    TarBuilder gnuLongName(String name) {
        byte[] data = (name + "\0").getBytes(StandardCharsets.UTF_8);
        return entry("././@LongLink", TarConstants.LF_GNUTYPE_LONGNAME, e -> e.setSize(data.length), data);
    }

    /** An entry with any type flag; the name is kept verbatim (leading slashes included). */
    TarBuilder entry(String name, byte type, Consumer<TarArchiveEntry> setup, byte[] content) {
        try {
            TarArchiveEntry e = new TarArchiveEntry(name, type, true);
            e.setModTime(FileTime.fromMillis(1_600_000_000_000L));
            e.setUserName("");
            e.setGroupName("");
            setup.accept(e);
            tar.putArchiveEntry(e);
            if (content != null) {
                tar.write(content);
            }
            if (type != TarConstants.LF_PAX_GLOBAL_EXTENDED_HEADER) {
                tar.closeArchiveEntry(); // Commons Compress writes and closes global headers itself
            }
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    byte[] bytes() {
        try {
            tar.finish();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    byte[] gzip() {
        return gzip(bytes());
    }

    static byte[] gzip(byte[] data) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (GzipCompressorOutputStream gz = new GzipCompressorOutputStream(out)) {
                gz.write(data);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Replaces the 512-byte header at the given block with a patched one, fixing its checksum. */
    static byte[] patchHeader(byte[] tar, int block, int offset, byte[] value) {
        byte[] out = tar.clone();
        int base = block * 512;
        System.arraycopy(value, 0, out, base + offset, value.length);
        for (int i = 148; i < 156; i++) {
            out[base + i] = ' ';
        }
        long sum = 0;
        for (int i = 0; i < 512; i++) {
            sum += out[base + i] & 0xff;
        }
        byte[] checksum = String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(checksum, 0, out, base + 148, 8);
        return out;
    }
}
