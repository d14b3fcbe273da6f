package dev.berth.cli;

import dev.berth.IndexFormat;
import dev.berth.PushIndexOptions;
import dev.berth.PushedIndex;
import dev.berth.PushedPlugin;
import dev.berth.exception.NotFoundException;
import dev.berth.oci.Descriptor;
import dev.berth.oci.InvalidReferenceException;
import dev.berth.oci.Platform;
import dev.berth.oci.Reference;
import dev.berth.registry.layout.OciLayoutResolver;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code berth push}: a plugin to the registry its name names, or into an OCI layout; with
 * {@code --index TARGET}, several platform variants of one plugin under one tag.
 *
 * <p>The index is a flag of push, not a verb of its own: it is a push (same progress, credentials,
 * {@code oci:} targets and errors), and {@code --index TARGET PLUGIN...} reads as Docker's
 * {@code manifest create TARGET SOURCE...} does, the destination first and the variants after it.
 */
@Command(name = "push", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Push a plugin to the registry its name names.",
                "With oci:DIR, write it into that OCI image layout instead, under the tag of its name.",
                "With --index TARGET, push each PLUGIN (created with --platform) by digest into TARGET's repository, "
                        + "then an index listing them by platform under TARGET's tag."})
final class PushCommand implements Callable<Integer> {
    @ParentCommand
    Berth berth;

    @Spec
    CommandSpec spec;

    @Option(names = "--index", paramLabel = "TARGET",
            description = "Push the plugins as the platform variants of one plugin, under this reference or oci:DIR[:TAG].")
    String index;

    @Option(names = "--manifest-list", description = "With --index: write a Docker manifest list, not an OCI image index.")
    boolean manifestList;

    @Option(names = "--platform-tags", description = "With --index: also tag each variant TAG-OS-ARCH[-VARIANT], "
            + "for Docker daemons that cannot install by digest.")
    boolean platformTags;

    @Parameters(arity = "1..*", paramLabel = "NAME",
            description = "Plugin name or ID, optionally followed by oci:DIR to push into; with --index, the variants.")
    List<String> args;

    String name;
    String target;

    @Option(names = "--chunk-size", paramLabel = "SIZE",
            description = {"Upload blobs larger than SIZE in chunks of SIZE (at least what the registry asks for), "
                    + "e.g. 16MiB; a registry that refuses chunks gets each blob in one request.",
                    "Default: $BERTH_CHUNK_SIZE, else every blob in one request, as Docker sends it."})
    String chunkSize;

    @Option(names = "--max-concurrent-uploads", paramLabel = "N",
            description = "How many blobs upload at once (default: $BERTH_MAX_CONCURRENT_UPLOADS, else 5, as Docker).")
    Integer maxConcurrentUploads;

    @Override
    public Integer call() {
        if (index != null) {
            return pushIndex();
        }
        if (manifestList || platformTags) {
            throw new ParameterException(spec.commandLine(), (manifestList ? "--manifest-list" : "--platform-tags")
                    + " needs --index");
        }
        if (args.size() > 2) {
            throw new ParameterException(spec.commandLine(), "push takes NAME [oci:DIR]; several plugins need --index TARGET");
        }
        name = args.get(0);
        target = args.size() > 1 ? args.get(1) : null;
        if (name.contains("@")) {
            throw new Berth.OperationFailed("invalid name: " + name);
        }
        long chunk = option(chunkSize, "BERTH_CHUNK_SIZE", "--chunk-size", Sizes::parse);
        long uploads = option(maxConcurrentUploads == null ? null : maxConcurrentUploads.toString(),
                "BERTH_MAX_CONCURRENT_UPLOADS", "--max-concurrent-uploads", PushCommand::positive);
        Remote layout = null;
        if (target != null) {
            try {
                layout = Remote.parse(target);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            if (layout.layout().isEmpty()) {
                throw new ParameterException(spec.commandLine(), "push goes to the registry the plugin's name names; "
                        + "a second argument must be oci:DIR, not " + target);
            }
        }
        try (Session s = new Session(berth).chunkedUploads(chunk).maxConcurrentUploads((int) uploads)) {
            var manager = layout == null ? s.manager()
                    : s.manager(OciLayoutResolver.open(layout.layout().get()));
            PushedPlugin pushed;
            try {
                pushed = manager.push(name);
            } catch (NotFoundException e) {
                // dockerd looks the plugin up by the tagged name and says so
                throw new Messages.Verbatim("Error response from daemon: plugin \"" + taggedName(name) + "\" not found");
            }
            s.finishProgress();
            s.status(pushed.tag() + ": digest: " + pushed.digest() + " size: " + pushed.size());
        }
        return 0;
    }

    /** A flag's value, else the environment's, else 0; a bad one is a usage error naming its origin. */
    private long option(String flag, String env, String name, java.util.function.ToLongFunction<String> parse) {
        String value = flag != null ? flag : berth.env.get(env);
        if (value == null || value.isEmpty()) {
            return 0;
        }
        try {
            return parse.applyAsLong(value);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "invalid " + (flag != null ? name : "$" + env)
                    + " \"" + value + "\": " + e.getMessage());
        }
    }

    private static long positive(String value) {
        int n = Integer.parseInt(value.trim());
        if (n < 1 || n > 64) {
            throw new IllegalArgumentException("must be between 1 and 64");
        }
        return n;
    }

    private Integer pushIndex() {
        Remote r;
        try {
            r = Remote.parse(index);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        long chunk = option(chunkSize, "BERTH_CHUNK_SIZE", "--chunk-size", Sizes::parse);
        long uploads = option(maxConcurrentUploads == null ? null : maxConcurrentUploads.toString(),
                "BERTH_MAX_CONCURRENT_UPLOADS", "--max-concurrent-uploads", PushCommand::positive);
        try (Session s = new Session(berth).chunkedUploads(chunk).maxConcurrentUploads((int) uploads)) {
            PushIndexOptions options = PushIndexOptions.defaults()
                    .withFormat(manifestList ? IndexFormat.DOCKER_MANIFEST_LIST : IndexFormat.OCI_INDEX);
            PushedIndex pushed = s.manager(s.resolverFor(r)).pushIndex(r.reference(), args,
                    platformTags ? options.withPlatformTags() : options);
            s.finishProgress();
            for (Descriptor d : pushed.manifests()) {
                s.status(d.platform().map(Platform::toString).orElse("") + ": digest: " + d.digest() + " size: " + d.size());
            }
            s.status(pushed.tag() + ": digest: " + pushed.digest() + " size: " + pushed.size());
        }
        return 0;
    }

    /** The name as the daemon's push resolves it: normalized, {@code :latest} when untagged, shown familiar. */
    private static String taggedName(String name) {
        try {
            return Reference.parse(name).withDefaultTag().familiar();
        } catch (InvalidReferenceException e) {
            return name;
        }
    }
}
