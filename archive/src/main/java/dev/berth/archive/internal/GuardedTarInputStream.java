package dev.berth.archive.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarUtils;

/**
 * A strict ({@code lenient=false}) Commons Compress tar reader that also sees every raw header before
 * it is parsed: extended headers (PAX {@code x}/{@code g}, GNU {@code L}/{@code K}) larger than the cap
 * are refused before their body is buffered (Commons Compress 1.28 buffers long names whole), and the
 * raw device numbers are kept, because Commons Compress narrows them to {@code int} silently.
 */
public final class GuardedTarInputStream extends TarArchiveInputStream {
    private static final int TYPE_OFFSET = 156;
    private static final int SIZE_OFFSET = 124;
    private static final int SIZE_LENGTH = 12;
    private static final int DEV_MAJOR_OFFSET = 329;
    private static final int DEV_MINOR_OFFSET = 337;
    private static final int DEV_LENGTH = 8;

    private final int maxHeaderSize;
    private long devMajor;
    private long devMinor;

    /**
     * @param in            the uncompressed tar stream
     * @param maxHeaderSize the largest extended header accepted
     */
    public GuardedTarInputStream(InputStream in, int maxHeaderSize) {
        super(in, 10240, 512, "UTF-8", false);
        this.maxHeaderSize = maxHeaderSize;
    }

    @Override
    protected byte[] readRecord() throws IOException {
        byte[] record = super.readRecord();
        if (record != null && record.length > TYPE_OFFSET && !isEOFRecord(record)) {
            // Commons Compress does not check a header's checksum when reading, so a damaged header
            // would be applied as whatever its bytes happen to say; Go's archive/tar refuses it, and so do we
            if (!TarUtils.verifyCheckSum(record)) {
                throw Errors.of(dev.berth.rootfs.ArchiveException.Kind.MALFORMED,
                        "a tar header has a wrong checksum (a damaged or non-tar stream)");
            }
            byte type = record[TYPE_OFFSET];
            if (type == 'x' || type == 'g' || type == 'X' || type == 'L' || type == 'K') {
                long size = number(record, SIZE_OFFSET, SIZE_LENGTH);
                if (size > maxHeaderSize) {
                    throw Errors.limit("a tar extended header (type " + (char) type + ") of " + size
                            + " bytes is larger than the limit of " + maxHeaderSize);
                }
            }
            // Commons Compress turns undecodable name bytes into '?', which would silently rename the
            // entry (and make two raw names collide): refuse them while the raw bytes are at hand.
            checkUtf8(record, 0, 100, "name");
            checkUtf8(record, 157, 100, "link name");
            if (record[257] == 'u' && record[258] == 's' && record[259] == 't' && record[260] == 'a'
                    && record[261] == 'r') {
                checkUtf8(record, 345, 155, "name prefix");
            }
            devMajor = number(record, DEV_MAJOR_OFFSET, DEV_LENGTH);
            devMinor = number(record, DEV_MINOR_OFFSET, DEV_LENGTH);
        }
        return record;
    }

    @Override
    protected byte[] getLongNameData() throws IOException {
        byte[] data = super.getLongNameData();
        if (data != null) {
            checkUtf8(data, 0, data.length, "GNU long name");
        }
        return data;
    }

    private static void checkUtf8(byte[] bytes, int offset, int length, String field) {
        int end = offset;
        while (end < offset + length && bytes[end] != 0) {
            end++;
        }
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, offset, end - offset));
        } catch (CharacterCodingException e) {
            throw Errors.of(dev.berth.rootfs.ArchiveException.Kind.MALFORMED,
                    "a tar header's " + field + " is not valid UTF-8");
        }
    }

    /** The raw major device number of the last header, -1 when unreadable. */
    public long devMajor() {
        return devMajor;
    }

    /** The raw minor device number of the last header, -1 when unreadable. */
    public long devMinor() {
        return devMinor;
    }

    private static long number(byte[] record, int offset, int length) {
        boolean blank = true;
        for (int i = offset; i < offset + length; i++) {
            if (record[i] != 0 && record[i] != ' ') {
                blank = false;
                break;
            }
        }
        if (blank) {
            return 0;
        }
        try {
            return TarUtils.parseOctalOrBinary(record, offset, length);
        } catch (IllegalArgumentException e) {
            return -1;
        }
    }
}
