package dev.berth.archive;

import dev.berth.rootfs.AppliedLayer;
import dev.berth.rootfs.ArchiveException;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;

/**
 * Runs inside the class loader of {@link TarRootfsApplierWithoutZstdTest}, which has no zstd codec: it
 * speaks only JDK types across the loader boundary, since Berth's own classes differ between the two.
 */
public final class NoZstdProbe {
    private NoZstdProbe() {
    }

    /** Applies the layer; answers "applied <diffId>" or "<exception class>|<kind>|<message>". */
    public static String apply(byte[] layer, String mediaType, String root) {
        try {
            AppliedLayer applied = TarRootfsApplier.create()
                    .apply(new ByteArrayInputStream(layer), mediaType, Path.of(root));
            return "applied " + applied.diffId();
        } catch (ArchiveException e) {
            return e.getClass().getName() + "|" + e.kind() + "|" + e.getMessage();
        }
    }

    /** The zstd codec this loader sees. */
    public static String codec() {
        return TarRootfsApplier.zstdCodec();
    }
}
