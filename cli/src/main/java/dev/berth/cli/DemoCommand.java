package dev.berth.cli;

import dev.berth.PluginManager;
import dev.berth.archive.TarContextSplitter;
import dev.berth.archive.TarRootfsApplier;
import dev.berth.client.PluginClient;
import dev.berth.client.Volume;
import dev.berth.client.VolumeDriverClient;
import dev.berth.json.DockerJson;
import dev.berth.plugin.Plugin;
import dev.berth.plugin.PluginPrivilege;
import dev.berth.plugin.Privileges;
import dev.berth.registry.HttpRegistryResolver;
import dev.berth.registry.layout.OciLayoutResolver;
import dev.berth.remote.RegistryResolver;
import dev.berth.runc.RuncRuntime;
import dev.berth.store.FileContentStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code berth demo}: the whole lifecycle of the sample plugin in a temporary root, against an OCI
 * layout in a temporary folder (or a real registry), in a few seconds. Never touches {@code --root}.
 */
@Command(name = "demo", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Walk the sample plugin through its whole lifecycle in a temporary root.",
                "Create, privileges, push, remove, install, list, inspect, set, enable, call (create, list",
                "and remove a volume through the VolumeDriver API), disable, remove.",
                "Pushes into an OCI image layout in a temporary folder unless --registry is given."})
final class DemoCommand implements Callable<Integer> {
    private static final String SAMPLE = "sample-plugin/";
    private static final Path BUSYBOX = Path.of("/bin/busybox");

    @ParentCommand
    Berth berth;

    @Option(names = "--registry", paramLabel = "HOST:PORT", description = "Push to and install from this registry.")
    String registry;

    @Option(names = "--keep", description = "Keep the temporary folder, and print where it is.")
    boolean keep;

    @Option(names = "--no-enable", description = "Skip enable and disable even when plugins can run here.")
    boolean noEnable;

    private final List<String> summary = new ArrayList<>();
    private PrintWriter out;

    @Override
    public Integer call() throws IOException {
        out = berth.spec.commandLine().getOut();
        long start = System.nanoTime();
        Path work = Files.createTempDirectory("berth-demo-");
        Path root = work.resolve("root");
        Optional<String> runProblem = noEnable ? Optional.of("--no-enable was given") : Runtimes.problem();
        RuncRuntime runtime = null;
        // A unix socket path holds at most 107 bytes and the plugin's is <exec>/<64-hex id>/sample.sock,
        // so the exec root must be short: /run/bd-<8 hex>, made only when plugins can run (as root).
        Path exec = runProblem.isEmpty()
                ? Files.createDirectory(Path.of("/run", "bd-" + java.util.HexFormat.of().toHexDigits(new java.security.SecureRandom().nextInt())))
                : work.resolve("exec");
        try {
            String rootfsNote = buildContext(work.resolve("context"), runProblem.isEmpty());
            if (runProblem.isEmpty() && !Files.exists(work.resolve("context/rootfs/bin/sample-plugin"))) {
                runProblem = Optional.of(rootfsNote);
            }
            String name;
            String where;
            RegistryResolver resolver;
            if (registry == null) {
                Path layout = work.resolve("layout");
                resolver = OciLayoutResolver.open(layout);
                name = "berth/sample-plugin:1.0";
                where = "oci:" + layout + ":1.0";
            } else {
                resolver = HttpRegistryResolver.builder().addInsecureRegistry(registry).build();
                name = registry + "/berth/sample-plugin:1.0";
                where = name;
            }
            out.println("Berth demo: plugin " + name + ", remote " + where);
            out.println("  root " + root + " (" + rootfsNote + ")");
            PluginManager.Builder b = PluginManager.builder()
                    .root(root)
                    .contentStore(FileContentStore.open(root.resolve("storage")))
                    .registryResolver(resolver)
                    .rootfsApplier(TarRootfsApplier.create())
                    .contextSplitter(TarContextSplitter.create())
                    .execRoot(exec)
                    .enableTimeout(Duration.ofSeconds(15))
                    .stopTimeout(Duration.ofSeconds(5));
            if (runProblem.isEmpty()) {
                runtime = RuncRuntime.builder()
                        .runc(Runtimes.runc().orElseThrow())
                        .stateRoot(work.resolve("runc"))
                        .bundleRoot(work.resolve("bundles"))
                        .build();
                b.runtime(runtime);
            }
            try (PluginManager plugins = b.build()) {
                walk(plugins, name, work.resolve("context"), runProblem);
            }
        } finally {
            if (runtime != null) {
                runtime.close();
            }
            if (keep) {
                out.println("Kept " + work);
            } else {
                deleteTree(work);
            }
            if (!exec.startsWith(work)) {
                deleteTree(exec);
            }
        }
        out.println();
        out.println("Summary:");
        summary.forEach(line -> out.println("  " + line));
        out.printf("Done in %.1f s.%n", (System.nanoTime() - start) / 1e9);
        return 0;
    }

    private void walk(PluginManager plugins, String name, Path context, Optional<String> runProblem) throws IOException {
        step("create", () -> {
            try (InputStream in = ContextStream.of(context)) {
                return "created " + plugins.create(name, in).id().substring(0, 12);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        List<PluginPrivilege> privileges = new ArrayList<>();
        step("privileges", () -> {
            privileges.addAll(Privileges.of(plugins.inspect(name).config()));
            out.println("    " + DockerJson.privileges(privileges));
            return privileges.size() + " privilege(s) required";
        });
        step("push", () -> {
            var pushed = plugins.push(name);
            return pushed.digest() + " (" + pushed.size() + " bytes manifest)";
        });
        step("remove", () -> {
            plugins.remove(name, false);
            return "removed the local copy";
        });
        step("privileges (remote)", () -> {
            List<PluginPrivilege> remote = plugins.privileges(name);
            out.println("    " + DockerJson.privileges(remote));
            return remote.equals(privileges) ? "same as at create" : "DIFFERENT from create";
        });
        step("install", () -> "installed " + plugins.install(name).grant(privileges).disabled().run().id().substring(0, 12));
        step("list", () -> {
            StringBuilder rows = new StringBuilder("ID\tNAME\tDESCRIPTION\tENABLED\n");
            for (Plugin p : plugins.list()) {
                rows.append(String.join("\t", p.id().substring(0, 12), p.name(), p.config().description(),
                        String.valueOf(p.enabled()))).append('\n');
            }
            PrintWriter table = indented();
            table.print(TabWriter.format(rows.toString()));
            table.flush();
            return plugins.list().size() + " plugin(s)";
        });
        step("inspect", () -> {
            indented().println(InspectCommand.render(List.of(plugins.inspect(name))));
            return "Docker's inspect document";
        });
        step("set", () -> "DEBUG=1 -> Settings.Env " + plugins.set(name, List.of("DEBUG=1")).settings().env());
        if (runProblem.isPresent()) {
            summary.add(String.format("%-20s skipped: %s", "enable/disable", runProblem.get()));
            out.println("== enable/disable: skipped, " + runProblem.get());
        } else {
            step("enable", () -> {
                plugins.enable(name, Duration.ofSeconds(15));
                return "running, socket " + plugins.endpoint(name).socket() + ", implements "
                        + plugins.endpoint(name).implemented();
            });
            step("call", () -> {
                // the host's side of a running plugin: Docker's VolumeDriver API over the plugin's socket
                VolumeDriverClient volumes = PluginClient.builder().endpoint(plugins.endpoint(name))
                        .timeout(Duration.ofSeconds(5)).build().volumeDriver();
                volumes.create("berth-demo", Map.of());
                List<String> listed = volumes.list().stream().map(Volume::name).toList();
                volumes.remove("berth-demo");
                List<String> after = volumes.list().stream().map(Volume::name).toList();
                return "VolumeDriver: created berth-demo, listed " + listed + ", removed it, listed " + after;
            });
            step("disable", () -> {
                plugins.disable(name, false);
                return "stopped";
            });
        }
        step("remove", () -> {
            plugins.remove(name, true);
            return "removed; " + plugins.list().size() + " plugin(s) left";
        });
    }

    private PrintWriter indented() {
        return new PrintWriter(new java.io.Writer() {
            private boolean lineStart = true;

            @Override
            public void write(char[] cbuf, int off, int len) {
                for (int i = off; i < off + len; i++) {
                    if (lineStart) {
                        out.print("    ");
                    }
                    out.print(cbuf[i]);
                    lineStart = cbuf[i] == '\n';
                }
            }

            @Override
            public void flush() {
                out.flush();
            }

            @Override
            public void close() {
                flush();
            }
        }, true);
    }

    private void step(String label, Supplier<String> action) {
        out.println("== " + label);
        long t0 = System.nanoTime();
        String result = action.get();
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        out.println("   " + result);
        summary.add(String.format("%-20s %5d ms  %s", label, ms, result));
        out.flush();
    }

    /**
     * Lays out the context: the sample config, and a rootfs with the compiled sample plugin and busybox
     * when the program can be built and run here, else only a text file.
     *
     * @return what the rootfs holds, for the output
     */
    private String buildContext(Path context, boolean wantRunnable) throws IOException {
        Path rootfs = context.resolve("rootfs");
        Files.createDirectories(rootfs.resolve("bin"));
        copyResource("config.json", context.resolve("config.json"));
        Files.writeString(rootfs.resolve("README"), "The Berth sample plugin rootfs.\n");
        if (!wantRunnable) {
            return "rootfs: a text file only";
        }
        Optional<Path> gcc = Runtimes.which("gcc");
        if (gcc.isEmpty() || !Files.isRegularFile(BUSYBOX)) {
            return "rootfs: a text file only, since " + (gcc.isEmpty() ? "gcc" : "busybox-static") + " is not installed";
        }
        Path source = context.resolveSibling("sample-plugin.c");
        copyResource("sample-plugin.c", source);
        Process p = new ProcessBuilder(gcc.get().toString(), "-static", "-O2", "-o",
                rootfs.resolve("bin/sample-plugin").toString(), source.toString())
                .redirectErrorStream(true)
                .start();
        try {
            // gcc's output is a few lines at most; read it so the pipe never fills.
            p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                Files.deleteIfExists(rootfs.resolve("bin/sample-plugin"));
                return "rootfs: a text file only, since gcc -static failed (is libc6-dev installed?)";
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while compiling the sample plugin", e);
        }
        Files.copy(BUSYBOX, rootfs.resolve("bin/busybox"), StandardCopyOption.REPLACE_EXISTING);
        Files.createSymbolicLink(rootfs.resolve("bin/sh"), Path.of("busybox"));
        return "rootfs: the compiled sample plugin and busybox";
    }

    private static void copyResource(String name, Path target) throws IOException {
        try (InputStream in = DemoCommand.class.getResourceAsStream(SAMPLE + name)) {
            if (in == null) {
                throw new IOException("the sample plugin's " + name + " is missing from the berth jar");
            }
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
