package dev.berth.manager;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.PluginManager;
import dev.berth.core.internal.manager.KillPoint;
import dev.berth.internal.json.PluginJson;
import dev.berth.oci.Digest;
import dev.berth.oci.Reference;
import dev.berth.plugin.Plugin;
import dev.berth.plugin.PluginRecord;
import dev.berth.registry.HttpRegistryResolver;
import dev.berth.testkit.registry.RealRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every changing operation, run in a child JVM ({@link KillChild}) against the real registry and killed
 * with SIGKILL: at each phase boundary the operations mark ({@link KillPoint}; the store's commit steps
 * too), and after seeded random delays. The parent then reopens the root and checks that:
 * <ul>
 *   <li>every listed plugin is whole: its directory holds exactly {@code config.json} and {@code rootfs},
 *       its rootfs is complete and of the version its record names, and every blob the record names is
 *       in the store and verifies;</li>
 *   <li>nothing is left that a later open would not clean: at the top of the root only the plugins'
 *       directories, {@code tmp} (empty), {@code storage}, the lock file {@code .berth.lock} (reused by
 *       every open) and the event journal; in the store exactly the blobs the records name (orphans are
 *       collected at open), no label files, and as ingests only partial layer downloads
 *       ({@code layer-<digest>}) of blobs still missing, which the next pull continues;</li>
 *   <li>the operation then runs again to success (or its effect is already there), after which no ingest
 *       is left at all.</li>
 * </ul>
 * The child runs the in-process fake runtime: the invariants checked are the root's, and runc would only
 * add a container that a SIGKILL of the manager leaves running.
 *
 * <p>Random kills: {@code -Dberth.kill.seed} (printed; the time by default) and
 * {@code -Dberth.kill.iterations} (6 by default; a soak runs hundreds).
 */
class KillAtEveryOperationTest {
    /**
     * The fixed kill points: an operation and the phase its child is killed at. Phases shared by several
     * operations (a record's save, the build transaction's publish) are killed in one of them only, to keep
     * the run short; the random kills and a soak ({@code -Dberth.kill.iterations=200}) cover the rest.
     */
    static final List<String[]> POINTS = List.of(
            new String[] {"install", "download.half"},
            new String[] {"install", "pull.head-stored"},
            new String[] {"install", "pull.layers-applied"},
            new String[] {"install", "record.temp-written"},
            new String[] {"install", "build.record-saved"},
            new String[] {"install", "build.promoted"},
            new String[] {"install", "store.data-synced#3"},
            new String[] {"install", "store.renamed#3"},
            new String[] {"create", "create.layer-stored"},
            new String[] {"create", "create.blobs-stored"},
            new String[] {"upgrade", "download.half"},
            new String[] {"upgrade", "pull.layers-applied"},
            new String[] {"upgrade", "record.temp-written"},
            new String[] {"upgrade", "upgrade.pending-saved"},
            new String[] {"upgrade", "upgrade.old-moved"},
            new String[] {"upgrade", "upgrade.new-moved"},
            new String[] {"upgrade", "upgrade.committed"},
            new String[] {"upgrade", "upgrade.old-deleted"},
            new String[] {"remove", "remove.renamed"},
            new String[] {"remove", "remove.deleted"},
            new String[] {"remove", "gc.marked#2"}, // #1 is the collection at open, before the remove
            new String[] {"remove", "gc.deleted"},
            new String[] {"set", "record.temp-written"},
            new String[] {"enable", "enable.started"},
            new String[] {"disable", "disable.stopped"},
            new String[] {"push", "push.blobs-pushed"},
            new String[] {"gc", "gc.marked"},
            new String[] {"gc", "gc.deleted"},
            new String[] {"open", "gc.deleted"});

    @TempDir
    static Path temp;
    static RealRegistry registry;
    static KillFixture f;
    private static final AtomicInteger ROOTS = new AtomicInteger();

    @BeforeAll
    static void publish() throws IOException {
        registry = RealRegistry.plain(temp.resolve("registry"));
        f = new KillFixture(registry.host());
        try (PluginManager m = f.builder(temp.resolve("publisher")).build()) {
            m.create(f.v1, new java.io.ByteArrayInputStream(KillFixture.context(1)));
            m.push(f.v1);
            m.create(f.v2, new java.io.ByteArrayInputStream(KillFixture.context(2)));
            m.push(f.v2);
        }
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    @TestFactory
    Stream<DynamicTest> killedAtEachPhaseBoundary_rootWholeAndOperationRerunnable() {
        return POINTS.stream().map(p -> DynamicTest.dynamicTest(p[0] + " killed at " + p[1], () -> {
            long t0 = System.nanoTime();
            Path root = newRoot();
            long t1;
            try (Child child = Child.start(root, p[0], p[1])) {
                prepare(root, p[0]); // while the child JVM starts
                t1 = System.nanoTime();
                child.go();
                String line = child.await(KillPoint.MARKER + " " + p[1]);
                assertThat(line).as("%s reached %s before it ended; output:%n%s", p[0], p[1], child.output())
                        .isEqualTo(KillPoint.MARKER + " " + p[1]);
                child.kill();
            }
            long t2 = System.nanoTime();
            String found = verify(root, p[0]);
            long t3 = System.nanoTime();
            System.out.printf("KILL %s @ %s: %s [prepare %d ms, child %d ms, verify %d ms]%n", p[0], p[1], found,
                    (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000);
        }));
    }

    @Test
    void killedAfterRandomDelays_rootWholeAndOperationRerunnable() throws Exception {
        long seed = Long.getLong("berth.kill.seed", System.currentTimeMillis());
        int iterations = Integer.getInteger("berth.kill.iterations", 5);
        System.out.println("KILL random: seed " + seed + ", " + iterations + " iterations"
                + " (replay with -Dberth.kill.seed=" + seed + ")");
        Random random = new Random(seed);
        for (int i = 0; i < iterations; i++) {
            String op = KillFixture.OPERATIONS.get(random.nextInt(KillFixture.OPERATIONS.size()));
            int delayMillis = random.nextInt(400);
            Path root = newRoot();
            String outcome;
            try (Child child = Child.start(root, op, null)) {
                prepare(root, op);
                child.go();
                String started = child.await("BERTH-START");
                assertThat(started).as("child started; output:%n%s", child.output()).isEqualTo("BERTH-START");
                Thread.sleep(delayMillis);
                outcome = child.exited() ? "finished first" : "killed";
                child.kill();
            }
            String found;
            try {
                found = verify(root, op);
            } catch (AssertionError e) {
                throw new AssertionError("seed " + seed + ", iteration " + i + ": " + op + " killed after "
                        + delayMillis + " ms: " + e.getMessage(), e);
            }
            System.out.println("KILL " + op + " after " + delayMillis + " ms (" + outcome + "): " + found);
        }
    }

    private static Path newRoot() {
        return temp.resolve("k" + ROOTS.incrementAndGet()).resolve("plugins");
    }

    /** Brings a fresh root into the state {@code op} starts from. */
    private static void prepare(Path root, String op) throws IOException {
        if (op.equals("install") || op.equals("create")) {
            return;
        }
        try (PluginManager m = f.builder(root).build()) {
            m.install(f.v1).alias(f.name).grantAllPrivileges().disabled().run();
            switch (op) {
                case "disable" -> m.enable(f.name, java.time.Duration.ofSeconds(10));
                case "gc", "open" -> m.upgrade(f.name).remote(f.v2).grantAllPrivileges().run(); // v1's blobs orphaned
                default -> { }
            }
        }
    }

    /** Reopens the root after a kill, checks it, finishes the operation, checks again; says what it found. */
    private static String verify(Path root, String op) throws IOException {
        Set<String> blobsBefore = names(root.resolve("storage/blobs/sha256"));
        Set<String> ingestsBefore = names(root.resolve("storage/ingest"));
        String state;
        try (PluginManager m = f.builder(root).build()) {
            assertThat(m.loadProblems()).as("load problems").isEmpty();
            state = describe(m);
            assertWhole(root, m);
            assertNothingStray(root, m, Stage.AFTER_KILL);
            Set<String> ingestsKept = names(root.resolve("storage/ingest"));
            int collected = blobsBefore.size() - names(root.resolve("storage/blobs/sha256")).size();

            finish(m, op);

            assertWhole(root, m);
            assertNothingStray(root, m, Stage.AFTER_RERUN);
            assertDone(root, m, op);
            state = "after reopen " + state + ", " + collected + " blobs collected at open, ingests "
                    + ingestsBefore.size() + " left, " + ingestsKept.size() + " kept; rerun ends " + describe(m);
        }
        try (PluginManager m = f.builder(root).build()) {
            assertWhole(root, m);
            assertNothingStray(root, m, Stage.REOPENED);
            assertDone(root, m, op);
        }
        return state;
    }

    private static String describe(PluginManager m) {
        List<Plugin> all = m.list();
        if (all.isEmpty()) {
            return "[no plugin]";
        }
        List<String> out = new ArrayList<>();
        for (Plugin p : all) {
            out.add(p.config().description() + (p.enabled() ? " enabled" : " disabled")
                    + (p.settings().env().contains("DEBUG=7") ? " DEBUG=7" : ""));
        }
        return out.toString();
    }

    /** Finishes what the killed operation began: runs it again unless its effect is already there. */
    private static void finish(PluginManager m, String op) {
        boolean present = !m.list().isEmpty();
        boolean needed = switch (op) {
            case "install", "create" -> !present;
            case "upgrade" -> m.inspect(f.name).config().description().equals(KillFixture.label(1));
            case "remove" -> present;
            case "enable" -> !m.inspect(f.name).enabled();
            case "disable" -> m.inspect(f.name).enabled();
            default -> true;
        };
        if (needed) {
            KillChild.run(m, f, op);
        }
    }

    private static void assertDone(Path root, PluginManager m, String op) throws IOException {
        switch (op) {
            case "install", "create", "set", "enable", "disable", "push" -> {
                assertThat(m.list()).hasSize(1);
                Plugin p = m.inspect(f.name);
                assertThat(p.config().description()).isEqualTo(KillFixture.label(1));
                assertThat(p.enabled()).as("enabled").isEqualTo(op.equals("enable"));
                if (op.equals("set")) {
                    assertThat(p.settings().env()).contains("DEBUG=7");
                }
                if (op.equals("push")) {
                    Digest pushed = HttpRegistryResolver.builder().build().resolve(Reference.parse(f.name)).digest();
                    assertThat(pushed).isEqualTo(record(root, p).manifest().orElseThrow());
                }
            }
            case "upgrade", "gc", "open" ->
                    assertThat(m.inspect(f.name).config().description()).isEqualTo(KillFixture.label(2));
            case "remove" -> {
                assertThat(m.list()).isEmpty();
                assertThat(names(root.resolve("storage/blobs/sha256"))).as("blobs after the remove's gc").isEmpty();
            }
            default -> throw new IllegalArgumentException(op);
        }
    }

    private static PluginRecord record(Path root, Plugin p) throws IOException {
        return PluginJson.decodeRecord(Files.readAllBytes(root.resolve(p.id()).resolve("config.json")));
    }

    /** Every listed plugin whole, of the version its record names, with every blob it names. */
    private static void assertWhole(Path root, PluginManager m) throws IOException {
        for (Plugin p : m.list()) {
            Path dir = root.resolve(p.id());
            assertThat(names(dir)).as("files of plugin %s", p.id()).containsExactlyInAnyOrder("config.json", "rootfs");
            PluginRecord r = record(root, p);
            String label = r.plugin().config().description();
            assertThat(label).isIn(KillFixture.label(1), KillFixture.label(2)).isEqualTo(p.config().description());
            int version = label.equals(KillFixture.label(1)) ? 1 : 2;
            Path rootfs = dir.resolve("rootfs");
            assertThat(Files.readString(rootfs.resolve("version"))).as("rootfs version under a %s record", label)
                    .isEqualTo(label);
            assertThat(rootfs.resolve("v" + (3 - version))).as("no file of the other version").doesNotExist();
            assertThat(Files.readString(rootfs.resolve("v" + version + "/only-in-this-version"))).isEqualTo(label);
            assertThat(Files.size(rootfs.resolve("data"))).as("whole data file").isEqualTo(KillFixture.DATA_CHARS);
            List<Digest> blobs = new ArrayList<>(r.blobsums());
            r.config().ifPresent(blobs::add);
            r.manifest().ifPresent(blobs::add);
            assertThat(blobs).hasSize(3);
            for (Digest d : blobs) {
                Path blob = root.resolve("storage/blobs/sha256").resolve(d.hex());
                assertThat(blob).as("blob %s of %s", d, label).isRegularFile();
                assertThat(sha256(blob)).as("content of blob %s", d).isEqualTo(d.hex());
            }
            assertThat(PluginJson.decodeConfig(Files.readAllBytes(root.resolve("storage/blobs/sha256")
                    .resolve(r.config().orElseThrow().hex()))).description()).as("config blob of the record").isEqualTo(label);
        }
    }

    /** When the root is checked for strays. */
    private enum Stage {
        /** Reopened after the kill: exactly the blobs the records name; partial layer downloads kept. */
        AFTER_KILL,
        /**
         * After the operation ran again: no ingest; blobs no record names may be left (an upgrade leaves
         * the old version's, as Docker's does) for the next open or remove to collect.
         */
        AFTER_RERUN,
        /** Opened once more: exactly the blobs the records name and no ingest. */
        REOPENED
    }

    /** Nothing in the root or store beyond what is defined as allowed (see the class comment). */
    private static void assertNothingStray(Path root, PluginManager m, Stage stage) throws IOException {
        Set<String> allowed = new TreeSet<>(Set.of(".berth.lock", "berth-events.jsonl", "storage", "tmp"));
        Set<String> referenced = new TreeSet<>();
        for (Plugin p : m.list()) {
            allowed.add(p.id());
            PluginRecord r = record(root, p);
            r.config().ifPresent(d -> referenced.add(d.hex()));
            r.manifest().ifPresent(d -> referenced.add(d.hex()));
            r.blobsums().forEach(d -> referenced.add(d.hex()));
        }
        assertThat(allowed).as("entries of the root").containsAll(names(root));
        assertThat(names(root.resolve("tmp"))).as("<root>/tmp").isEmpty();
        Path store = root.resolve("storage");
        assertThat(Set.of("blobs", "ingest")).as("entries of the store").containsAll(names(store));
        assertThat(names(store.resolve("blobs"))).as("blob algorithms").containsExactly("sha256");
        if (stage == Stage.AFTER_RERUN) {
            assertThat(names(store.resolve("blobs/sha256"))).as("blobs: all the records name").containsAll(referenced);
        } else {
            assertThat(names(store.resolve("blobs/sha256"))).as("blobs: exactly those the records name")
                    .isEqualTo(referenced);
        }
        Set<String> ingests = names(store.resolve("ingest"));
        if (stage != Stage.AFTER_KILL) {
            assertThat(ingests).as("ingests after the operation ran again").isEmpty();
        }
        for (String i : ingests) {
            Path dir = store.resolve("ingest").resolve(i);
            assertThat(dir.resolve("ref")).as("ingest %s has a ref", i).isRegularFile();
            String ref = Files.readString(dir.resolve("ref"));
            assertThat(ref).as("a kept ingest is a layer download").startsWith("layer-sha256:");
            assertThat(store.resolve("blobs/sha256").resolve(ref.substring("layer-sha256:".length())))
                    .as("the blob of kept ingest %s is still missing", ref).doesNotExist();
            assertThat(dir.resolve("data")).as("ingest %s has its data", ref).isRegularFile();
        }
    }

    private static Set<String> names(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return new TreeSet<>();
        }
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(x -> x.getFileName().toString()).collect(java.util.stream.Collectors.toCollection(TreeSet::new));
        }
    }

    private static String sha256(Path file) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            try (var in = Files.newInputStream(file)) {
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0; ) {
                    md.update(buf, 0, n);
                }
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A {@link KillChild} JVM whose output lines are collected by a thread of their own. */
    private static final class Child implements AutoCloseable {
        private final Process process;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        private final StringBuffer all = new StringBuffer();

        private Child(Process process) {
            this.process = process;
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        all.append(line).append('\n');
                        lines.add(line);
                    }
                } catch (IOException e) {
                    // the child was killed
                }
                lines.add("EOF");
            }, "kill-child-output");
            reader.setDaemon(true);
            reader.start();
        }

        static Child start(Path root, String op, String phase) throws IOException {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m"));
            if (phase != null) {
                cmd.add("-D" + KillPoint.PROPERTY + "=" + phase);
            }
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), KillChild.class.getName(),
                    root.toString(), f.host, op));
            return new Child(new ProcessBuilder(cmd).redirectErrorStream(true).start());
        }

        /** Waits until the child's JVM is up, then lets it open the root. */
        void go() throws IOException, InterruptedException {
            String ready = await("BERTH-READY");
            assertThat(ready).as("child started; output:%n%s", output()).isEqualTo("BERTH-READY");
            process.getOutputStream().write('\n');
            process.getOutputStream().flush();
        }

        /** The first line that starts with {@code prefix}, or {@code BERTH-DONE}/{@code EOF} if the child ended first. */
        String await(String prefix) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (true) {
                String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (line == null) {
                    return "TIMEOUT";
                }
                if (line.startsWith(prefix) || line.equals("BERTH-DONE") || line.equals("EOF")) {
                    return line;
                }
            }
        }

        boolean exited() {
            return !process.isAlive();
        }

        String output() {
            return all.toString();
        }

        /** SIGKILL: no undo, no close, no shutdown hook; waits until the process is gone. */
        void kill() throws InterruptedException {
            process.destroyForcibly();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("killed child ended").isTrue();
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }
}
