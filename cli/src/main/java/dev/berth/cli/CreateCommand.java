package dev.berth.cli;

import dev.berth.oci.MediaTypes.Compression;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.TypeConversionException;

/** {@code berth create NAME DIR}: a plugin from a directory holding {@code config.json} and {@code rootfs/}. */
@Command(name = "create", sortOptions = false, mixinStandardHelpOptions = true,
        description = "Create a plugin from a directory holding config.json and rootfs/.")
final class CreateCommand implements Callable<Integer> {
    @ParentCommand
    Berth berth;

    @Option(names = "--compress", paramLabel = "gzip|zstd|none", defaultValue = "gzip",
            converter = LayerCompression.class,
            description = "The layer's compression: gzip (default, as Docker), zstd (OCI's tar+zstd type;"
                    + " Berth installs it, Docker 20.10 installs it with an empty rootfs) or none.")
    Compression compress;

    @Parameters(index = "0", paramLabel = "NAME", description = "The plugin's name, e.g. localhost:5000/acme/volume:1.0.")
    String name;

    @Parameters(index = "1", paramLabel = "DIR", description = "The context directory.")
    Path dir;

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(dir)) {
            throw new Berth.OperationFailed("context must be a directory: " + dir);
        }
        if (!Files.isRegularFile(dir.resolve("config.json"))) {
            throw new Berth.OperationFailed("the context " + dir + " has no config.json");
        }
        try (Session s = new Session(berth).withoutProgress().withLayerCompression(compress)) {
            var manager = s.manager();
            // The directory is tarred by a thread as the splitter reads it: one pass, no temp file.
            try (InputStream in = ContextStream.of(dir)) {
                manager.create(name, in);
            }
            s.out().println(name);
        }
        return 0;
    }

    /** gzip, zstd or none, in any case. */
    static final class LayerCompression implements ITypeConverter<Compression> {
        @Override
        public Compression convert(String value) {
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "gzip" -> Compression.GZIP;
                case "zstd" -> Compression.ZSTD;
                case "none" -> Compression.NONE;
                default -> throw new TypeConversionException("expected gzip, zstd or none, not \"" + value + "\"");
            };
        }
    }
}
