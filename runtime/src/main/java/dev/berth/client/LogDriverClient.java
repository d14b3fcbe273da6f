package dev.berth.client;

import dev.berth.internal.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Typed calls of Docker's LogDriver plugin API ({@code /LogDriver.*}), with the shapes of moby's log
 * plugin proxy. The daemon writes a container's log entries to a FIFO ({@code File}) that the plugin
 * reads; this client only starts and stops that and asks for capabilities (reading logs back is a
 * stream and not offered here). A non-empty {@code Err} fails the call with a
 * {@link PluginCallException}. Immutable and thread-safe.
 */
public final class LogDriverClient {
    private final PluginClient client;

    LogDriverClient(PluginClient client) {
        this.client = client;
    }

    /**
     * The container a log stream is for (moby's {@code logger.Info}).
     *
     * @param config        the log options ({@code --log-opt})
     * @param containerId   the container ID
     * @param containerName the container name (with its leading {@code /})
     * @param imageName     the image name
     * @param created       the creation time, RFC 3339 (Go's {@code time.Time}); {@code 0001-01-01T00:00:00Z} if unknown
     * @param labels        the container labels
     * @param logPath       the daemon's own log file, if any
     * @param daemonName    the daemon's name, {@code docker} for Docker
     */
    public record Info(Map<String, String> config, String containerId, String containerName, String imageName,
                       String created, Map<String, String> labels, String logPath, String daemonName) {
        /** Checks and copies. */
        public Info {
            config = Map.copyOf(config);
            Objects.requireNonNull(containerId, "containerId");
            Objects.requireNonNull(containerName, "containerName");
            Objects.requireNonNull(imageName, "imageName");
            Objects.requireNonNull(created, "created");
            labels = Map.copyOf(labels);
            Objects.requireNonNull(logPath, "logPath");
            Objects.requireNonNull(daemonName, "daemonName");
        }

        /** The info of a container known by ID and name only. */
        public static Info of(String containerId, String containerName) {
            return new Info(Map.of(), containerId, containerName, "", "0001-01-01T00:00:00Z", Map.of(), "", "docker");
        }
    }

    /** {@code /LogDriver.StartLogging}: the plugin starts reading the FIFO {@code file} for a container. */
    public void startLogging(String file, Info info) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(info, "info");
        client.callObject("LogDriver.StartLogging", PluginClient.json(w -> {
            w.name("File").value(file).name("Info").beginObject().name("Config");
            PluginClient.writeMap(w, info.config());
            w.name("ContainerID").value(info.containerId())
                    .name("ContainerName").value(info.containerName())
                    .name("ContainerEntrypoint").value("")
                    .name("ContainerArgs").stringArray(List.of())
                    .name("ContainerImageID").value("")
                    .name("ContainerImageName").value(info.imageName())
                    .name("ContainerCreated").value(info.created())
                    .name("ContainerEnv").stringArray(List.of())
                    .name("ContainerLabels");
            PluginClient.writeMap(w, info.labels());
            w.name("LogPath").value(info.logPath()).name("DaemonName").value(info.daemonName()).endObject();
        }));
    }

    /** {@code /LogDriver.StopLogging}: the container's stream has ended. */
    public void stopLogging(String file) {
        Objects.requireNonNull(file, "file");
        client.callObject("LogDriver.StopLogging", PluginClient.json(w -> w.name("File").value(file)));
    }

    /** {@code /LogDriver.Capabilities}: whether the plugin can read logs back ({@code Cap.ReadLogs}). */
    public boolean readLogs() {
        String m = "LogDriver.Capabilities";
        JsonObject o = client.callObject(m, new byte[0]);
        JsonObject cap;
        try {
            cap = o.object("Cap");
        } catch (IllegalArgumentException e) {
            throw new PluginCallException(m, m + ": malformed Cap: " + e.getMessage(), e);
        }
        return cap != null && PluginClient.bool(m, cap, "ReadLogs");
    }
}
