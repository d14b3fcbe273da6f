package dev.berth.archive.internal;

import dev.berth.oci.Digester;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.MediaTypes.Compression;
import dev.berth.rootfs.WrittenLayer;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;
import java.util.zip.Deflater;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A tar written compressed into the caller's sink, each side hashed once in the same pass. gzip is
 * one member deflated on all cores ({@link ParallelGzipOutputStream}) with Go's header (no name, time
 * 0), and the tar ends with the two zero blocks and no block padding, as Go's writers do, so equal
 * entries give equal bytes. The tar's 512-byte records are gathered into 64 KiB writes before they
 * are hashed and compressed.
 *
 * <p>Not thread-safe. Never closes the sink.
 */
public final class LayerOutput {
    private static final int BUFFER = 64 * 1024;

    private final Digester compressed = Digester.sha256();
    private final Digester uncompressed = Digester.sha256();
    private final Compression compression;
    private final OutputStream encoder;
    private final TarArchiveOutputStream tar;

    /** A gzip layer. @param sink the caller's stream; flushed at the end, never closed */
    public LayerOutput(OutputStream sink) throws IOException {
        this(sink, Compression.GZIP);
    }

    /**
     * @param sink        the caller's stream; flushed at the end, never closed
     * @param compression {@link Compression#GZIP}, {@link Compression#ZSTD} or {@link Compression#NONE}
     */
    public LayerOutput(OutputStream sink, Compression compression) throws IOException {
        this.compression = Objects.requireNonNull(compression, "compression");
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
        OutputStream hashed = compressed.wrap(shielded);
        this.encoder = switch (compression) {
            case GZIP -> new ParallelGzipOutputStream(hashed, Deflater.DEFAULT_COMPRESSION);
            case ZSTD -> Compressors.zstd(new BufferedOutputStream(hashed, BUFFER));
            case NONE -> hashed;
            case UNKNOWN -> throw new IllegalArgumentException("a layer needs a compression: gzip, zstd or none");
        };
        // The uncompressed count and digest are of the tar stream itself, so they are taken before
        // the encoder; when there is no encoder both digests see the same bytes, hashed once each.
        OutputStream plain = compression == Compression.NONE ? encoder : uncompressed.wrap(encoder);
        this.tar = new TarArchiveOutputStream(new BufferedOutputStream(plain, BUFFER), 512);
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

    /** Ends the tar and the compressed stream, flushes the sink, and tells what was written. */
    public WrittenLayer finish() throws IOException {
        tar.close(); // finishes the tar, then closes the buffer, the encoder and the shield (a flush)
        if (compression == Compression.NONE) {
            // One stream, one hash: the blob is the tar.
            return new WrittenLayer(MediaTypes.DOCKER_LAYER_TAR, compressed.digest(), compressed.count(),
                    compressed.digest(), compressed.count());
        }
        String mediaType = compression == Compression.GZIP ? MediaTypes.DOCKER_LAYER_GZIP : MediaTypes.OCI_LAYER_ZSTD;
        return new WrittenLayer(mediaType, compressed.digest(), compressed.count(),
                uncompressed.digest(), uncompressed.count());
    }
}
