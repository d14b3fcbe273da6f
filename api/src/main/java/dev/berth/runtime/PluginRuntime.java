package dev.berth.runtime;


import dev.berth.exception.SystemException;
import java.util.Optional;

/**
 * Runs plugin containers: the seam between Berth's plugin supervisor and a container runtime
 * (runc in {@code berth-runtime}, a fake in tests, containerd or podman in a host that has one).
 * Containers are keyed by the plugin ID (64 lower-case hex characters).
 *
 * <p>Exit notification: after a successful {@link #start} or a {@link #reattach} that returned
 * {@code true}, the runtime calls {@link Listener#exited()} once when the container's init process
 * ends, unless {@link #detach} or {@link #delete} came first. The call may come on any thread and
 * must be cheap for the listener; a runtime must tolerate and drop duplicate exit signals of its
 * own. Implementations are thread-safe.
 */
public interface PluginRuntime {
    /** The signals the supervisor sends. */
    enum Signal {
        /** Asks the plugin to stop. */
        TERM,
        /** Kills the plugin. */
        KILL
    }

    /**
     * What a runtime reports about one running container. Methods may be called on any thread, one
     * at a time per container; output lines are delivered in order.
     */
    interface Listener {
        /** A line the plugin wrote to its standard output (without the line end, possibly truncated). */
        default void stdout(String line) {
        }

        /** A line the plugin wrote to its standard error (without the line end, possibly truncated). */
        default void stderr(String line) {
        }

        /** The container's init process has ended. Called at most once. */
        void exited();
    }

    /**
     * Creates and starts a container from the spec, detached from the caller. Returns once the init
     * process runs (not once the plugin is ready).
     *
     * @throws SystemException if the container cannot be created or started; nothing is left behind
     */
    void start(String id, RuntimeSpec spec, Listener listener);

    /**
     * Sends a signal to the container's init process.
     *
     * @return false if the container does not run (nothing to signal)
     * @throws SystemException if the runtime fails to deliver it
     */
    boolean signal(String id, Signal signal);

    /**
     * Removes the container and whatever the runtime keeps for it, killing what still runs. Idempotent:
     * deleting an unknown container does nothing.
     *
     * @throws SystemException if the runtime fails to remove it
     */
    void delete(String id);

    /** Whether a container with this ID runs now. */
    boolean isRunning(String id);

    /**
     * Re-attaches to a container that may have outlived a previous process of the host (a JVM
     * restart): if it runs, watches it again and returns true; if it exists but no longer runs,
     * deletes it and returns false; if it does not exist, returns false.
     *
     * @throws SystemException if the runtime fails to inspect it
     */
    boolean reattach(String id, Listener listener);

    /**
     * Stops watching a container and leaves it running (live restore). No exit notification follows.
     * Does nothing for an unknown container.
     */
    void detach(String id);

    /**
     * How the host reaches a container this runtime started, when its plugin does not serve a unix
     * socket on the host's default file system (an in-process fake, a plugin in a VM). Called after
     * {@link #start} or a successful {@link #reattach}. The default, empty, means the usual: HTTP over the
     * socket {@code <exec-root>/<id>/<Interface.Socket>} that the spec mounts at {@code /run/docker/plugins}.
     */
    default Optional<PluginTransport> transport(String id) {
        return Optional.empty();
    }
}
