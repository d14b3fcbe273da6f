package dev.berth.benchmarks.e2e;

import dev.berth.PluginManager;
import dev.berth.archive.TarContextSplitter;
import dev.berth.archive.TarRootfsApplier;
import dev.berth.benchmarks.e2e.Report.Tool;
import dev.berth.cli.Berth;
import dev.berth.registry.HttpRegistryResolver;
import dev.berth.runc.RuncRuntime;
import dev.berth.store.FileContentStore;
import dev.berth.testkit.registry.RealRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * The end-to-end benchmark of issue 13: the 110 MB plugin of real-components.md §7 (one 100 MiB random
 * file, 2,000 small base64 files, the static sample plugin on busybox), and for every run, over plain
 * http and https to a loopback docker-registry, the chain create → push → install → enable timed for
 * each of: {@code berth} as a fresh process (the launcher, else {@code java -jar}), Berth in-process (one
 * warm JVM), a private dockerd through {@code docker plugin}, and the floor ({@code tar | gzip -6}, {@code curl -T},
 * {@code curl | tar -xz}). The tools take turns in a rotating order per run; medians are printed as a
 * Markdown table and drawn as an SVG bar chart.
 *
 * <p>Usage: {@code Harness [--runs N] [--jar cli/target/berth.jar] [--out DIR] [--no-docker]}.
 * Needs docker-registry, openssl, curl, tar, gzip; dockerd, runc, gcc and root for the Docker column
 * and for enable. Timings are only measured and printed here, never asserted.
 */
public final class Harness {
    private static final String GZIP_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip";

    private final Path work;
    private final Path berthJar;
    private final Optional<Path> launcher;
    private final Report report = new Report();
    private final Path context;
    private final Path log;
    private Daemons docker;
    private boolean canRun;
    private int sequence;

    private Harness(Path work, Path berthJar) {
        this.work = work;
        this.berthJar = berthJar;
        Path sh = berthJar.resolveSibling("berth");
        this.launcher = Files.isExecutable(sh) ? Optional.of(sh) : Optional.empty();
        this.context = work.resolve("ctx");
        this.log = work.resolve("commands.log");
    }

    public static void main(String[] args) throws Exception {
        int runs = 3;
        Path jar = Path.of("cli/target/berth.jar");
        Path out = Path.of("benchmarks/target/e2e");
        boolean withDocker = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--jar" -> jar = Path.of(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--no-docker" -> withDocker = false;
                default -> {
                    System.err.println("usage: Harness [--runs N] [--jar BERTH_JAR] [--out DIR] [--no-docker]");
                    System.exit(2);
                }
            }
        }
        if (!Files.isRegularFile(jar)) {
            System.err.println(jar + " is missing: build it first (./mvnw -B -pl cli -am package -DskipTests)");
            System.exit(2);
        }
        Path work = Files.createDirectory(Path.of("/tmp", "bb-" + HexFormat.of().toHexDigits(new SecureRandom().nextInt())));
        Harness h = new Harness(work, jar.toAbsolutePath());
        try {
            h.run(runs, withDocker);
        } finally {
            h.cleanUp();
        }
        Files.createDirectories(out);
        String stamp = Instant.now().toString().replace(":", "").replaceAll("\\..*", "");
        String md = h.header(runs) + "\n" + h.report.markdown();
        Files.writeString(out.resolve("e2e-" + stamp + ".md"), md);
        Files.writeString(out.resolve("e2e-" + stamp + ".csv"), h.report.csv());
        Files.writeString(out.resolve("e2e-" + stamp + ".svg"),
                h.report.svg("Berth vs docker plugin vs floor: 110 MB plugin, medians of " + runs + " runs (s, lower is better)"));
        System.out.println();
        System.out.println(md);
        System.out.println("written: " + out.resolve("e2e-" + stamp + ".{md,csv,svg}"));
    }

    private String header(int runs) {
        return String.format(Locale.ROOT, "Medians of %d runs, seconds, %d cores, %s %s, %s; load average %s at the"
                        + " start, %s at the end (other work on the machine shows there).%s%n", runs,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
                System.getProperty("java.version"), docker != null ? "dockerd 20.10 (private)" : "no dockerd",
                loadAtStart, loadAverage(), canRun ? "" : " Enable not measured (needs root and runc).");
    }

    private final String loadAtStart = loadAverage();

    /** The 1-minute load average, or "?" where /proc/loadavg does not exist. */
    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private void run(int runs, boolean withDocker) throws Exception {
        canRun = Proc.isRoot() && Proc.which("runc").isPresent() && Proc.which("gcc").isPresent()
                && Files.isExecutable(Path.of("/bin/busybox"));
        note("work directory " + work + "; building the plugin context");
        buildContext();
        if (withDocker) {
            Optional<String> missing = Daemons.missing();
            if (missing.isPresent()) {
                note("no docker column: " + missing.get());
            } else {
                docker = Daemons.start(work.resolve("d"));
                note("private dockerd up");
            }
        }
        try (RealRegistry plain = RealRegistry.plain(work.resolve("reg-http"));
             RealRegistry tls = RealRegistry.tls(work.resolve("reg-https"))) {
            note("registries: http " + plain.host() + ", https " + tls.host());
            List<Tool> tools = new ArrayList<>(List.of(Tool.BERTH_CLI, Tool.BERTH_IN_PROCESS, Tool.FLOOR));
            if (docker != null) {
                tools.add(2, Tool.DOCKER);
            }
            for (int r = 1; r <= runs; r++) {
                startup();
                for (Tool t : rotate(tools, r)) {
                    for (RealRegistry reg : List.of(plain, tls)) {
                        String proto = reg == plain ? "http" : "https";
                        note(String.format(Locale.ROOT, "run %d/%d: %s over %s", r, runs, t.label, proto));
                        chain(t, reg, proto, reg == plain && canRun);
                    }
                }
            }
        }
    }

    private static <T> List<T> rotate(List<T> list, int by) {
        List<T> out = new ArrayList<>(list);
        java.util.Collections.rotate(out, by);
        return out;
    }

    /** {@code berth --help} and {@code berth ls}: a fresh JVM's start and exit. */
    private void startup() throws IOException {
        Path root = Files.createDirectories(work.resolve("startup-root"));
        time("berth --help (java -jar)", Tool.BERTH_CLI, List.of("java", "-jar", berthJar.toString(), "--help"));
        time("berth ls (java -jar)", Tool.BERTH_CLI, List.of("java", "-jar", berthJar.toString(), "--root", root.toString(), "ls"));
        if (launcher.isPresent()) {
            time("berth --help (launcher)", Tool.BERTH_CLI, List.of(launcher.get().toString(), "--help"));
            time("berth ls (launcher)", Tool.BERTH_CLI, List.of(launcher.get().toString(), "--root", root.toString(), "ls"));
        }
    }

    /** create, push, install (and enable) with one tool against one registry. */
    private void chain(Tool tool, RealRegistry reg, String proto, boolean enable) throws Exception {
        int n = ++sequence;
        String repo = "bench/" + tool.name().toLowerCase(Locale.ROOT).replace('_', '-') + "-" + n;
        String name = reg.host() + "/" + repo + ":1";
        // Docker refuses to create a layer its store already holds: every create gets its own marker.
        Files.writeString(context.resolve("rootfs/marker"), name + "\n");
        Path a = work.resolve("a-" + n);
        Path b = work.resolve("b-" + n);
        Path exec = work.resolve("x" + n);
        try {
            switch (tool) {
                case BERTH_CLI -> {
                    if (time("create", tool, berth(a, exec, "create", name, context.toString()))
                            && time("push (" + proto + ")", tool, berth(a, exec, "push", name))
                            && time("install (" + proto + ")", tool,
                                    berth(b, exec, "install", "--grant-all-permissions", "--disable", name))
                            && enable) {
                        if (time("enable", tool, berth(b, exec, "enable", name))) {
                            Proc.quiet(berth(b, exec, "disable", name));
                        }
                    }
                }
                case BERTH_IN_PROCESS -> inProcess(name, proto, a, b, exec, enable);
                case DOCKER -> {
                    if (time("create", tool, docker.docker("plugin", "create", name, context.toString()))
                            && time("push (" + proto + ")", tool, docker.docker("plugin", "push", name))
                            && Proc.quiet(docker.docker("plugin", "rm", "-f", name))
                            && time("install (" + proto + ")", tool,
                                    docker.docker("plugin", "install", "--grant-all-permissions", "--disable", name))
                            && enable) {
                        time("enable", tool, docker.docker("plugin", "enable", name));
                    }
                    Proc.quiet(docker.docker("plugin", "rm", "-f", name));
                }
                case FLOOR -> floor(reg, proto, repo, a, b);
            }
        } finally {
            Daemons.deleteTree(a);
            Daemons.deleteTree(b);
            Proc.unmountUnder(exec);
            Daemons.deleteTree(exec);
            Daemons.deleteTree(Path.of(exec + ".runc"));
        }
    }

    /**
     * The {@code berth} command as users run it: the launcher next to the jar (AppCDS when its archive
     * matches the JDK), else {@code java -jar}.
     */
    private List<String> berth(Path root, Path exec, String... args) {
        List<String> cmd = new ArrayList<>(launcher.map(l -> List.of(l.toString()))
                .orElseGet(() -> List.of("java", "-jar", berthJar.toString())));
        cmd.addAll(List.of("--root", root.toString(), "--exec-root", exec.toString(), "-q"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** The same chain through {@link Berth#execute} (create: the CLI's own context tar) and {@link PluginManager}. */
    private void inProcess(String name, String proto, Path a, Path b, Path exec, boolean enable) throws IOException {
        StringWriter sink = new StringWriter();
        long t0 = System.nanoTime();
        int code = Berth.execute(new PrintWriter(sink), new PrintWriter(sink), "--root", a.toString(), "--exec-root",
                exec.toString(), "-q", "create", name, context.toString());
        double created = (System.nanoTime() - t0) / 1e9;
        if (code != 0) {
            fail("create", Tool.BERTH_IN_PROCESS, new IOException(sink.toString().strip()));
            return;
        }
        report.add("create", Tool.BERTH_IN_PROCESS, created);
        try (InProcess p = manager(a, exec)) {
            PluginManager m = p.manager();
            t0 = System.nanoTime();
            m.push(name);
            report.add("push (" + proto + ")", Tool.BERTH_IN_PROCESS, (System.nanoTime() - t0) / 1e9);
        } catch (RuntimeException e) {
            fail("push (" + proto + ")", Tool.BERTH_IN_PROCESS, e);
            return;
        }
        try (InProcess p = manager(b, exec)) {
            PluginManager m = p.manager();
            t0 = System.nanoTime();
            m.install(name).grantAllPrivileges().disabled().run();
            report.add("install (" + proto + ")", Tool.BERTH_IN_PROCESS, (System.nanoTime() - t0) / 1e9);
            if (enable) {
                t0 = System.nanoTime();
                m.enable(name, Duration.ofSeconds(30));
                report.add("enable", Tool.BERTH_IN_PROCESS, (System.nanoTime() - t0) / 1e9);
                m.disable(name, true);
            }
        } catch (RuntimeException e) {
            fail("install/enable (" + proto + ")", Tool.BERTH_IN_PROCESS, e);
        }
    }

    /** A manager over {@code root} and the runtime it owns, closed in that order. */
    private record InProcess(PluginManager manager, Optional<RuncRuntime> runtime) implements AutoCloseable {
        @Override
        public void close() {
            manager.close();
            runtime.ifPresent(RuncRuntime::close);
        }
    }

    private InProcess manager(Path root, Path exec) throws IOException {
        Files.createDirectories(root);
        PluginManager.Builder b = PluginManager.builder()
                .root(root)
                .contentStore(FileContentStore.open(root.resolve("storage")))
                .registryResolver(HttpRegistryResolver.builder().build())
                .rootfsApplier(TarRootfsApplier.create())
                .contextSplitter(TarContextSplitter.create())
                .execRoot(exec);
        Optional<RuncRuntime> runtime = Optional.empty();
        if (canRun) {
            runtime = Optional.of(RuncRuntime.builder().runc(Proc.which("runc").orElseThrow())
                    .stateRoot(Path.of(exec + ".runc")).bundleRoot(root.resolve("bundles")).build());
            b.runtime(runtime.get());
        }
        return new InProcess(b.build(), runtime);
    }

    /** tar | gzip -6 for create, POST + curl -T for push, curl | tar -xz for install: what the bytes cost. */
    private void floor(RealRegistry reg, String proto, String repo, Path a, Path b) throws IOException {
        Files.createDirectories(a);
        Path layer = a.resolve("layer.tar.gz");
        if (!time("create", Tool.FLOOR, List.of("bash", "-o", "pipefail", "-c",
                "tar -cf - -C \"$1\" . | gzip -6 -n > \"$2\"", "floor", context.resolve("rootfs").toString(),
                layer.toString()))) {
            return;
        }
        String digest = "sha256:" + sha256(layer);
        String base = reg.uri().toString();
        String k = proto.equals("https") ? "-k" : "";
        String push = "loc=$(curl -sf " + k + " -X POST -o /dev/null -D - \"$1/v2/$2/blobs/uploads/\""
                + " | tr -d '\\r' | awk 'tolower($1)==\"location:\"{print $2}')"
                + " && case \"$loc\" in http*) ;; *) loc=\"$1$loc\";; esac"
                + " && curl -sf " + k + " -o /dev/null -T \"$3\" -H 'Content-Type: application/octet-stream' \"$loc&digest=$4\"";
        if (!time("push (" + proto + ")", Tool.FLOOR, List.of("bash", "-o", "pipefail", "-c", push, "floor", base, repo,
                layer.toString(), digest))) {
            return;
        }
        Files.createDirectories(b);
        time("install (" + proto + ")", Tool.FLOOR, List.of("bash", "-o", "pipefail", "-c",
                "curl -sf " + k + " \"$1/v2/$2/blobs/$3\" | tar -xzf - -C \"$4\"", "floor", base, repo, digest,
                b.toString()));
    }

    private boolean time(String row, Tool tool, List<String> command) {
        try {
            report.add(row, tool, Proc.timed(log, command));
            return true;
        } catch (IOException e) {
            fail(row, tool, e);
            return false;
        }
    }

    private void fail(String row, Tool tool, Exception e) {
        report.add(row, tool, Double.NaN);
        note("FAILED " + row + " with " + tool.label + ": " + e.getMessage());
    }

    private static void note(String line) {
        System.err.println("[e2e] " + line);
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 20];
            for (int r; (r = in.read(buf)) > 0; ) {
                md.update(buf, 0, r);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * real-components.md §7: config.json, rootfs with a 100 MiB random file and 2,000 base64 files of
     * 100–5,500 bytes in 20 directories, plus busybox and the static sample plugin when they can be had
     * (so enable has something to run).
     */
    private void buildContext() throws IOException {
        Path rootfs = Files.createDirectories(context.resolve("rootfs"));
        try (InputStream in = Berth.class.getResourceAsStream("/dev/berth/cli/sample-plugin/config.json")) {
            Files.copy(in, context.resolve("config.json"));
        }
        SplittableRandom random = new SplittableRandom(13);
        byte[] chunk = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(rootfs.resolve("random.bin"))) {
            for (int i = 0; i < 100; i++) {
                for (int j = 0; j < chunk.length; j += 8) {
                    long v = random.nextLong();
                    for (int k = 0; k < 8; k++) {
                        chunk[j + k] = (byte) (v >>> (8 * k));
                    }
                }
                out.write(chunk);
            }
        }
        for (int i = 0; i < 2000; i++) {
            Path dir = Files.createDirectories(rootfs.resolve("small/d" + (i % 20)));
            byte[] raw = new byte[(100 + random.nextInt(5401)) * 3 / 4];
            for (int j = 0; j < raw.length; j++) {
                raw[j] = (byte) random.nextInt();
            }
            Files.write(dir.resolve("f" + i + ".txt"), Base64.getMimeEncoder().encode(raw));
        }
        Path bin = Files.createDirectories(rootfs.resolve("bin"));
        if (canRun) {
            Path src = work.resolve("sample-plugin.c");
            try (InputStream in = Berth.class.getResourceAsStream("/dev/berth/cli/sample-plugin/sample-plugin.c")) {
                Files.copy(in, src);
            }
            Proc.timed(log, List.of("gcc", "-static", "-O2", "-o", bin.resolve("sample-plugin").toString(), src.toString()));
            Files.copy(Path.of("/bin/busybox"), bin.resolve("busybox"), StandardCopyOption.COPY_ATTRIBUTES);
            Files.createSymbolicLink(bin.resolve("sh"), Path.of("busybox"));
        }
        Files.writeString(rootfs.resolve("marker"), "\n", StandardCharsets.UTF_8);
    }

    private void cleanUp() {
        if (docker != null) {
            docker.close();
        }
        Proc.unmountUnder(work);
        Daemons.deleteTree(work);
    }
}
