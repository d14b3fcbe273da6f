package dev.berth.manager;

import dev.berth.PluginManager;
import dev.berth.core.internal.manager.KillPoint;
import dev.berth.progress.ProgressStatus;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Runs one operation on a plugin root in a JVM of its own, for {@link KillAtEveryOperationTest} to kill
 * with SIGKILL: prints {@code BERTH-READY} once started, opens the root when a line arrives on standard
 * input, prints {@code BERTH-START} just before the operation and {@code BERTH-DONE} after it.
 * With {@code -Dberth.test.pauseAt=<phase>} it stops dead at that phase ({@link KillPoint}), and at
 * {@code download.half} once half of a layer is downloaded.
 *
 * <p>Arguments: the root, the registry's host, the operation ({@link KillFixture#OPERATIONS}).
 */
public final class KillChild {
    private KillChild() {
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        KillFixture f = new KillFixture(args[1]);
        String op = args[2];
        boolean pauseAtHalf = "download.half".equals(System.getProperty(KillPoint.PROPERTY));
        PluginManager.Builder b = f.builder(root).gcAfterRemove(!op.equals("gc"));
        if (pauseAtHalf) {
            b.progressListener(e -> {
                if (e.status() == ProgressStatus.DOWNLOADING && e.total() > 0 && e.current() >= e.total() / 2) {
                    System.out.println(KillPoint.MARKER + " download.half");
                    System.out.flush();
                    sleepForever();
                }
            });
        }
        // The JVM has started and loaded the manager's classes; the parent prepares the root meanwhile and
        // says when it is ready.
        Class.forName(PluginManager.class.getName());
        System.out.println("BERTH-READY");
        System.out.flush();
        if (new java.io.BufferedReader(new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8))
                .readLine() == null) {
            return;
        }
        try (PluginManager m = b.build()) {
            System.out.println("BERTH-START");
            System.out.flush();
            run(m, f, op);
        }
        System.out.println("BERTH-DONE");
        System.out.flush();
    }

    /** Runs {@code op} on {@code m}; the parent runs the same to finish what a kill interrupted. */
    static void run(PluginManager m, KillFixture f, String op) {
        switch (op) {
            case "install" -> m.install(f.v1).alias(f.name).grantAllPrivileges().disabled().run();
            case "create" -> m.create(f.name, new ByteArrayInputStream(KillFixture.context(1)));
            case "upgrade" -> m.upgrade(f.name).remote(f.v2).grantAllPrivileges().run();
            case "remove" -> m.remove(f.name, false);
            case "set" -> m.set(f.name, List.of("DEBUG=7"));
            case "enable" -> m.enable(f.name, Duration.ofSeconds(10));
            case "disable" -> m.disable(f.name, false);
            case "push" -> m.push(f.name);
            case "gc" -> m.gc();
            case "open" -> { } // the collection at open is the operation
            default -> throw new IllegalArgumentException("unknown operation " + op);
        }
    }

    private static void sleepForever() {
        while (true) {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                // only SIGKILL ends this JVM
            }
        }
    }
}
