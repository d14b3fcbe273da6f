package dev.berth.testkit.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.runtime.PluginRuntime;
import dev.berth.runtime.RuntimeSpec;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link PluginRuntime} meets, as a test suite: subclass it, provide the runtime
 * and a spec whose process runs until SIGTERM, and it runs against your implementation. The suite
 * deletes every container it starts.
 *
 * <p>Test methods are public so that subclasses in any package inherit them.
 */
public abstract class PluginRuntimeContract {
    /** For subclasses. */
    protected PluginRuntimeContract() {
    }

    /** The runtime under test; the same instance for the whole test method. */
    protected abstract PluginRuntime runtime();

    /**
     * A spec whose process keeps running until it gets SIGTERM (and then exits), for the container
     * {@code id}. Called once per container.
     */
    protected abstract RuntimeSpec runningSpec(String id);

    /** A fresh random plugin ID. */
    protected static String newId() {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        return HexFormat.of().formatHex(random);
    }

    /** Records exit events. */
    protected static final class Exits implements PluginRuntime.Listener {
        private final BlockingQueue<String> events = new LinkedBlockingQueue<>();

        /** A listener with no events yet. */
        public Exits() {
        }

        @Override
        public void exited() {
            events.add("exited");
        }

        /** Waits up to {@code millis} for the next exit event. */
        public boolean await(long millis) throws InterruptedException {
            return events.poll(millis, TimeUnit.MILLISECONDS) != null;
        }
    }

    private String start(Exits exits) {
        String id = newId();
        runtime().start(id, runningSpec(id), exits);
        return id;
    }

    @Test
    public void start_thenTerm_reportsOneExit() throws InterruptedException {
        Exits exits = new Exits();
        String id = start(exits);
        try {
            assertThat(runtime().isRunning(id)).isTrue();

            assertThat(runtime().signal(id, PluginRuntime.Signal.TERM)).isTrue();

            assertThat(exits.await(10_000)).as("exit reported").isTrue();
            assertThat(runtime().isRunning(id)).isFalse();
            assertThat(exits.await(100)).as("no second exit").isFalse();
        } finally {
            runtime().delete(id);
        }
    }

    @Test
    public void delete_runningContainer_stopsItWithoutAnExitEvent() throws InterruptedException {
        Exits exits = new Exits();
        String id = start(exits);

        runtime().delete(id);

        assertThat(runtime().isRunning(id)).isFalse();
        assertThat(exits.await(100)).isFalse();
    }

    @Test
    public void unknownContainer_isNotRunningAndCannotBeSignalledOrReattached() {
        String id = newId();

        assertThat(runtime().isRunning(id)).isFalse();
        assertThat(runtime().signal(id, PluginRuntime.Signal.TERM)).isFalse();
        assertThat(runtime().reattach(id, new Exits())).isFalse();
        runtime().delete(id);
        runtime().detach(id);
    }

    @Test
    public void delete_twice_isIdempotent() {
        String id = start(new Exits());

        runtime().delete(id);
        runtime().delete(id);

        assertThat(runtime().isRunning(id)).isFalse();
    }

    @Test
    public void detach_thenExit_reportsNothing() throws InterruptedException {
        Exits exits = new Exits();
        String id = start(exits);
        try {
            runtime().detach(id);
            assertThat(runtime().isRunning(id)).as("detach leaves it running").isTrue();

            runtime().signal(id, PluginRuntime.Signal.KILL);

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (runtime().isRunning(id)) {
                assertThat(System.nanoTime()).as("killed container stops").isLessThan(deadline);
                Thread.onSpinWait();
            }
            assertThat(exits.await(100)).isFalse();
        } finally {
            runtime().delete(id);
        }
    }

    @Test
    public void reattach_runningContainer_reportsItsExitToTheNewListener() throws InterruptedException {
        Exits first = new Exits();
        String id = start(first);
        try {
            runtime().detach(id);
            Exits second = new Exits();

            assertThat(runtime().reattach(id, second)).isTrue();
            runtime().signal(id, PluginRuntime.Signal.TERM);

            assertThat(second.await(10_000)).isTrue();
            assertThat(first.await(100)).isFalse();
        } finally {
            runtime().delete(id);
        }
    }

    @Test
    public void reattach_exitedContainer_returnsFalseAndDeletesIt() throws InterruptedException {
        Exits exits = new Exits();
        String id = start(exits);
        runtime().detach(id);
        runtime().signal(id, PluginRuntime.Signal.KILL);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (runtime().isRunning(id)) {
            assertThat(System.nanoTime()).as("killed container stops").isLessThan(deadline);
            Thread.onSpinWait();
        }

        assertThat(runtime().reattach(id, new Exits())).isFalse();

        assertThat(runtime().reattach(id, new Exits())).isFalse();
        runtime().delete(id);
    }
}
