package dev.berth.archive;

import dev.berth.oci.MediaTypes;
import dev.berth.rootfs.AppliedLayer;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Applies a layer file in a JVM of its own (started by {@link TarRootfsApplierStreamTest} with a small
 * heap) and prints {@code <diffId> <size> <bytesRead> <committedHeapBytes>}.
 */
final class LargeLayerMain {
    private LargeLayerMain() {
    }

    public static void main(String[] args) throws IOException {
        long[] read = new long[1];
        try (InputStream file = Files.newInputStream(Path.of(args[0]));
                InputStream counting = new FilterInputStream(file) {
                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        int n = super.read(b, off, len);
                        if (n > 0) {
                            read[0] += n;
                        }
                        return n;
                    }

                    @Override
                    public boolean markSupported() {
                        return false;
                    }
                }) {
            AppliedLayer layer = TarRootfsApplier.create().apply(counting, MediaTypes.DOCKER_LAYER_GZIP, Path.of(args[1]));
            // The heap cap of the JVM is the bound that matters; this is the committed heap at the end.
            long committed = Runtime.getRuntime().totalMemory();
            System.out.println(layer.diffId() + " " + layer.size() + " " + read[0] + " " + committed);
        }
    }
}
