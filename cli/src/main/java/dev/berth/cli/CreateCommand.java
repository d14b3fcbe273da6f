package dev.berth.cli;

import dev.berth.CreateOptions;
import dev.berth.oci.MediaTypes.Compression;
import dev.berth.oci.Platform;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Stack;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IParameterConsumer;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code berth create NAME DIR}: a plugin from a directory holding {@code config.json} and {@code rootfs/}. */
@Command(name = "create", sortOptions = false, mixinStandardHelpOptions = true,
        description = "Create a plugin from a directory holding config.json and rootfs/.")
final class CreateCommand implements Callable<Integer> {
    @ParentCommand
    Berth berth;

    @Option(names = "--compress", paramLabel = "gzip|zstd|none", arity = "0..1", defaultValue = "gzip",
            parameterConsumer = LayerCompression.class,
            description = "The layer's compression: gzip (default, as Docker), zstd (OCI's tar+zstd type;"
                    + " Berth installs it, Docker 20.10 installs it with an empty rootfs) or none. Without a value"
                    + " (Docker's --compress, which gzips the context it sends the daemon) the layer is gzip.")
    Compression compress;

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", converter = PlatformConverter.class,
            description = "The platform the rootfs is built for, recorded in the plugin's config (for push --index).")
    Platform platform;

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
                manager.create(name, in, platform == null ? CreateOptions.defaults()
                        : CreateOptions.defaults().withPlatform(platform));
            }
            s.out().println(name);
        }
        return 0;
    }

    /**
     * gzip, zstd or none, in any case; a bare {@code --compress} is gzip. Docker's {@code plugin create
     * --compress NAME DIR} is a flag, so the next argument is taken as the value only when it names a
     * compression, and scripts written for Docker keep working.
     */
    static final class LayerCompression implements IParameterConsumer {
        @Override
        public void consumeParameters(Stack<String> args, ArgSpec option, CommandSpec command) {
            Compression value = args.isEmpty() ? null : parse(args.peek());
            if (value != null) {
                args.pop();
            } else if (!args.isEmpty() && !args.peek().startsWith("-") && positionalsLeft(args, command) > 2) {
                // NAME and DIR still follow, so the next argument was meant as the value: --compress=xz
                throw new ParameterException(command.commandLine(),
                        "Invalid value for option '--compress': expected gzip, zstd or none, not \"" + args.peek() + "\"");
            }
            option.setValue(value != null ? value : Compression.GZIP);
        }

        /** How many of the arguments still to parse are positional: options and their values do not count. */
        private static int positionalsLeft(Stack<String> args, CommandSpec command) {
            int count = 0;
            for (int i = args.size() - 1; i >= 0; i--) { // the top of the stack is the next argument
                String arg = args.get(i);
                if (!arg.startsWith("-")) {
                    count++;
                } else if (!arg.contains("=") && command.optionsMap().containsKey(arg)
                        && command.optionsMap().get(arg).arity().min() > 0) {
                    i--; // the option's value
                }
            }
            return count;
        }

        static Compression parse(String value) {
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "gzip" -> Compression.GZIP;
                case "zstd" -> Compression.ZSTD;
                case "none" -> Compression.NONE;
                default -> null;
            };
        }
    }
}
