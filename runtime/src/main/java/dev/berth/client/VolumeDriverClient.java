package dev.berth.client;

import dev.berth.internal.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Typed calls of Docker's VolumeDriver plugin API ({@code /VolumeDriver.*}). Each method fails with a
 * {@link PluginCallException} when the call fails or the plugin answers a non-empty {@code Err}.
 * Immutable and thread-safe.
 */
public final class VolumeDriverClient {
    private final PluginClient client;

    VolumeDriverClient(PluginClient client) {
        this.client = client;
    }

    /** {@code /VolumeDriver.Create}: creates a volume with driver options. */
    public void create(String name, Map<String, String> options) {
        Objects.requireNonNull(name, "name");
        Map<String, String> sorted = new TreeMap<>(Objects.requireNonNull(options, "options"));
        client.callObject("VolumeDriver.Create", PluginClient.json(w -> {
            w.name("Name").value(name).name("Opts").beginObject();
            sorted.forEach((k, v) -> w.name(k).value(v));
            w.endObject();
        }));
    }

    /** {@code /VolumeDriver.Remove}: deletes a volume. */
    public void remove(String name) {
        client.callObject("VolumeDriver.Remove", nameBody(name));
    }

    /**
     * {@code /VolumeDriver.Mount}: mounts a volume for a caller.
     *
     * @param id a unique ID of the caller (Docker passes the container ID)
     * @return the mount point inside the plugin
     */
    public String mount(String name, String id) {
        Objects.requireNonNull(id, "id");
        return client.callObject("VolumeDriver.Mount", PluginClient.json(w -> w.name("Name").value(
                Objects.requireNonNull(name, "name")).name("ID").value(id))).string("Mountpoint");
    }

    /** {@code /VolumeDriver.Unmount}: the caller {@code id} no longer uses the volume. */
    public void unmount(String name, String id) {
        Objects.requireNonNull(id, "id");
        client.callObject("VolumeDriver.Unmount", PluginClient.json(w -> w.name("Name").value(
                Objects.requireNonNull(name, "name")).name("ID").value(id)));
    }

    /** {@code /VolumeDriver.Path}: where the volume is mounted inside the plugin, empty if not mounted. */
    public String path(String name) {
        return client.callObject("VolumeDriver.Path", nameBody(name)).string("Mountpoint");
    }

    /** {@code /VolumeDriver.Get}: one volume. */
    public Volume get(String name) {
        JsonObject volume = client.callObject("VolumeDriver.Get", nameBody(name)).object("Volume");
        if (volume == null) {
            throw new PluginCallException("VolumeDriver.Get", "VolumeDriver.Get: the plugin answered no volume for "
                    + name, null);
        }
        return volume(volume);
    }

    /** {@code /VolumeDriver.List}: every volume of the plugin. */
    public List<Volume> list() {
        List<Object> raw = client.callObject("VolumeDriver.List", PluginClient.json(w -> {
        })).array("Volumes");
        List<Volume> out = new ArrayList<>();
        if (raw != null) {
            for (Object o : raw) {
                if (!(o instanceof JsonObject v)) {
                    throw new PluginCallException("VolumeDriver.List", "VolumeDriver.List: a volume is not an object", null);
                }
                out.add(volume(v));
            }
        }
        return List.copyOf(out);
    }

    /** {@code /VolumeDriver.Capabilities}: the driver's scope, {@code local} or {@code global}; {@code local} if unsaid. */
    public String scope() {
        JsonObject caps = client.callObject("VolumeDriver.Capabilities", PluginClient.json(w -> {
        })).object("Capabilities");
        String scope = caps == null ? "" : caps.string("Scope");
        return scope.isEmpty() ? "local" : scope;
    }

    private static byte[] nameBody(String name) {
        Objects.requireNonNull(name, "name");
        return PluginClient.json(w -> w.name("Name").value(name));
    }

    private static Volume volume(JsonObject v) {
        try {
            return new Volume(v.string("Name"), v.string("Mountpoint"), v.string("CreatedAt"));
        } catch (IllegalArgumentException e) {
            throw new PluginCallException("VolumeDriver", "VolumeDriver: malformed volume: " + e.getMessage(), e);
        }
    }
}
