package dev.berth.cli;

import dev.berth.PluginManager;
import dev.berth.archive.TarContextSplitter;
import dev.berth.archive.TarRootfsApplier;
import dev.berth.plugin.PluginPrivilege;
import dev.berth.registry.DockerConfigCredentials;
import dev.berth.registry.HttpRegistryResolver;
import dev.berth.registry.layout.OciArchive;
import dev.berth.registry.layout.OciLayoutResolver;
import dev.berth.remote.RegistryResolver;
import dev.berth.runc.RuncRuntime;
import dev.berth.store.FileContentStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What every command needs from the global options: the plugin manager over {@code --root}, registry
 * resolvers, the output streams, and the privilege prompt. One per command invocation; closes what it
 * opened.
 */
final class Session implements AutoCloseable {
    /**
     * How long a command waits for another berth command (or manager) holding the same root, unless
     * {@code $BERTH_ROOT_LOCK_WAIT} gives a number of seconds (0: fail at once).
     */
    static final java.time.Duration ROOT_LOCK_WAIT = java.time.Duration.ofMinutes(5);

    private final Berth berth;
    private final PrintWriter out;
    private final ProgressPrinter progress;
    private PluginManager manager;
    private OciArchive archive;
    private RuncRuntime runtime;
    private Optional<String> runtimeProblem = Optional.empty();
    private boolean showProgress = true;
    private long chunkSize;
    private int maxConcurrentUploads;
    private TarContextSplitter splitter = TarContextSplitter.create();

    Session(Berth berth) {
        this.berth = berth;
        this.out = berth.spec.commandLine().getOut();
        this.progress = new ProgressPrinter(out, berth.terminal.interactive());
    }

    PrintWriter out() {
        return out;
    }

    /** Prints a status line unless {@code --quiet}. */
    void status(String line) {
        if (!berth.quiet) {
            out.println(line);
            out.flush();
        }
    }

    Terminal terminal() {
        return berth.terminal;
    }

    /** {@link #ROOT_LOCK_WAIT}, or the seconds {@code $BERTH_ROOT_LOCK_WAIT} names. */
    java.time.Duration rootLockWait() {
        String env = berth.env.get("BERTH_ROOT_LOCK_WAIT");
        if (env == null || env.isEmpty()) {
            return ROOT_LOCK_WAIT;
        }
        try {
            long seconds = Long.parseLong(env.strip());
            if (seconds >= 0 && seconds <= 86_400) {
                return java.time.Duration.ofSeconds(seconds);
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new IllegalArgumentException("invalid $BERTH_ROOT_LOCK_WAIT \"" + env
                + "\": a number of seconds from 0 to 86400");
    }

    Path root() {
        if (berth.root != null) {
            return berth.root;
        }
        String env = berth.env.get("BERTH_ROOT");
        if (env != null && !env.isEmpty()) {
            return Path.of(env);
        }
        return home().resolve(".local").resolve("share").resolve("berth");
    }

    Path configDir() {
        if (berth.config != null) {
            return berth.config;
        }
        String env = berth.env.get("DOCKER_CONFIG");
        if (env != null && !env.isEmpty()) {
            return Path.of(env);
        }
        return home().resolve(".docker");
    }

    private Path home() {
        String h = berth.env.get("HOME");
        return Path.of(h != null && !h.isEmpty() ? h : System.getProperty("user.home"));
    }

    /** The registry client the options describe: insecure hosts, mirrors, credentials. */
    HttpRegistryResolver registry() {
        HttpRegistryResolver.Builder b = HttpRegistryResolver.builder()
                .credentials(DockerConfigCredentials.of(configDir().resolve("config.json")));
        berth.insecureRegistries.forEach(b::addInsecureRegistry);
        for (URI m : berth.mirrors) {
            b.addMirror(m);
        }
        if (chunkSize > 0) {
            b.chunkedUploads(chunkSize, (int) chunkSize);
        }
        return b.build();
    }

    /**
     * Blobs larger than {@code bytes} go up in chunks of that size (0: one PUT per blob). Call before
     * the manager or the registry client is made. @return this
     */
    Session chunkedUploads(long bytes) {
        this.chunkSize = bytes;
        return this;
    }

    /** How many blobs of a push upload at once (0: the manager's default). Call before the manager is made. @return this */
    Session maxConcurrentUploads(int value) {
        this.maxConcurrentUploads = value;
        return this;
    }

    /** Registries, plus the OCI layout or archive of {@code remote} when it is one. */
    RegistryResolver resolverFor(Remote remote) {
        HttpRegistryResolver http = registry();
        if (remote.archive().isPresent()) {
            return new RoutingResolver(Map.of(Remote.LAYOUT_DOMAIN, archive(remote.archive().get())), http);
        }
        return remote.layout()
                .<RegistryResolver>map(dir -> new RoutingResolver(
                        Map.of(Remote.LAYOUT_DOMAIN, OciLayoutResolver.open(dir)), http))
                .orElse(http);
    }

    /**
     * The OCI archive at {@code file}, checked, opened once per session and closed with it; {@code -} reads
     * standard input, spooled into a temporary file that is deleted at the end.
     */
    OciArchive archive(Path file) {
        if (archive == null) {
            archive = file.toString().equals("-")
                    ? OciArchive.read(System.in, Path.of(System.getProperty("java.io.tmpdir")))
                    : OciArchive.open(file);
        }
        return archive;
    }

    /** The manager over the root, with the registries as remote. */
    PluginManager manager() {
        return manager(registry());
    }

    /** The manager over the root with the given remote. Opened once per session. */
    PluginManager manager(RegistryResolver resolver) {
        if (manager != null) {
            throw new IllegalStateException("the session's manager is already open");
        }
        Path root = root();
        if (Files.exists(root) && !Files.isDirectory(root)) {
            throw new Berth.OperationFailed("the plugin root " + root + " is not a directory");
        }
        try {
            Files.createDirectories(root);
            PluginManager.Builder b = PluginManager.builder()
                    .root(root)
                    .contentStore(FileContentStore.open(root.resolve("storage")))
                    .registryResolver(resolver)
                    .rootfsApplier(TarRootfsApplier.create())
                    .contextSplitter(splitter)
                    .execRoot(berth.execRoot)
                    // One command is one process: enabled plugins must outlive it, and the next
                    // command re-attaches to them.
                    .liveRestore(true)
                    // Commands run side by side in a shell take turns on the root instead of failing.
                    .rootLockWait(rootLockWait())
                    .progressListener(berth.quiet || !showProgress ? dev.berth.progress.ProgressListener.NONE : progress);
            if (maxConcurrentUploads > 0) {
                b.maxConcurrentUploads(maxConcurrentUploads);
            }
            runtime().ifPresent(b::runtime);
            manager = b.build();
            return manager;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the plugin root " + root, e);
        }
    }

    /** No progress lines for this session (create prints only the name, as Docker does). @return this */
    Session withoutProgress() {
        showProgress = false;
        return this;
    }

    /** Layers created in this session use {@code compression} (gzip unless told). @return this */
    Session withLayerCompression(dev.berth.oci.MediaTypes.Compression compression) {
        splitter = splitter.withCompression(compression);
        return this;
    }

    /** Why plugins cannot run here, if they cannot. */
    Optional<String> runtimeProblem() {
        return runtimeProblem;
    }

    private Optional<RuncRuntime> runtime() {
        Optional<String> problem = Runtimes.problem();
        if (problem.isPresent()) {
            runtimeProblem = problem;
            return Optional.empty();
        }
        // runc's state goes next to the exec root (/run/berth/plugins.runc by default): Berth's own,
        // never runc's system default /run/runc, and on the same tmpfs as the sockets.
        Path exec = berth.execRoot.toAbsolutePath().normalize();
        runtime = RuncRuntime.builder()
                .runc(Runtimes.runc().orElseThrow())
                .stateRoot(exec.resolveSibling(exec.getFileName() + ".runc"))
                .bundleRoot(root().resolve("bundles"))
                .build();
        return Optional.of(runtime);
    }

    /**
     * Docker's privilege prompt: lists what the plugin asks for and wants a {@code y}. Without a
     * terminal the answer comes from standard input, as with Docker; at its end the answer is no.
     *
     * @throws Messages.Verbatim with {@code deniedMessage} when the user declines
     */
    void acceptPrivileges(String typed, List<PluginPrivilege> privileges, boolean grantAll, String deniedMessage) {
        if (privileges.isEmpty() || grantAll) {
            return;
        }
        out.println("Plugin \"" + typed + "\" is requesting the following privileges:");
        for (PluginPrivilege p : privileges) {
            out.println(" - " + p.name() + ": [" + String.join(" ", p.value()) + "]");
        }
        out.flush();
        if (!confirm("Do you grant the above permissions? [y/N] ")) {
            throw new Messages.Verbatim(deniedMessage);
        }
    }

    /** Asks a yes/no question as Docker's CLI does; anything but {@code y} (any case, trimmed) is no. */
    boolean confirm(String prompt) {
        Optional<String> answer;
        if (berth.terminal.interactive()) {
            answer = berth.terminal.readLine(prompt);
        } else {
            out.print(prompt);
            out.flush();
            answer = berth.terminal.readPiped();
        }
        return answer.orElse("").trim().equalsIgnoreCase("y");
    }

    void finishProgress() {
        progress.finish();
    }

    @Override
    public void close() {
        progress.finish();
        if (manager != null) {
            manager.close();
        }
        if (runtime != null) {
            runtime.close();
        }
        if (archive != null) {
            archive.close();
        }
    }
}
