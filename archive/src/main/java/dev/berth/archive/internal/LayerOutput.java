package dev.berth.archive.internal;

import dev.berth.oci.Digester;
import dev.berth.oci.MediaTypes;
import dev.berth.rootfs.WrittenLayer;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.Deflater;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;

/**
 * A gzip-compressed tar written into the caller's sink, hashed before and after compression in the
 * same pass. The gzip header carries no name and a zero time, and the tar ends with the two zero
 * blocks and no block padding, as Go's writers do, so equal entries give equal bytes.
 *
 * <p>Not thread-safe. Never closes the sink.
 */
public final class LayerOutput {
    private final Digester compressed = Digester.sha256();
    private final Digester uncompressed = Digester.sha256();
    private final GzipCompressorOutputStream gzip;
    private final TarArchiveOutputStream tar;

    /** @param sink the caller's stream; flushed at the end, never closed */
    public LayerOutput(OutputStream sink) throws IOException {
        OutputStream shielded = new FilterOutputStream(sink) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                out.flush();
            }
        };
        GzipParameters parameters = new GzipParameters();
        parameters.setCompressionLevel(Deflater.DEFAULT_COMPRESSION);
        parameters.setModificationTime(0);
        parameters.setOperatingSystem(255);
        this.gzip = new GzipCompressorOutputStream(compressed.wrap(shielded), parameters);
        this.tar = new TarArchiveOutputStream(uncompressed.wrap(gzip), 512);
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        tar.setAddPaxHeadersForNonAsciiNames(true);
    }

    /** Starts an entry; write its data with {@link #write}, then {@link #closeEntry}. */
    public void put(TarArchiveEntry entry) throws IOException {
        tar.putArchiveEntry(entry);
    }

    /** Writes entry data. */
    public void write(byte[] b, int off, int len) throws IOException {
        tar.write(b, off, len);
    }

    /** Ends the current entry. */
    public void closeEntry() throws IOException {
        tar.closeArchiveEntry();
    }

    /** Ends the tar and the gzip stream, flushes the sink, and tells what was written. */
    public WrittenLayer finish() throws IOException {
        tar.finish();
        gzip.close();
        return new WrittenLayer(MediaTypes.DOCKER_LAYER_GZIP, compressed.digest(), compressed.count(),
                uncompressed.digest(), uncompressed.count());
    }
}
