package dev.berth.interop;

import java.util.List;

/**
 * A plugin config shape the interoperability tests push through both implementations, written with
 * lower-case keys as people write them for {@code docker plugin create}.
 *
 * @param name   short name, used in the repository path
 * @param config the config.json members after the common ones (may be empty)
 */
record Shape(String name, String config) {
    /** The members every shape has: a volume driver on p.sock running the sample plugin. */
    String configJson(String description) {
        return "{\"description\":\"" + description + "\",\"documentation\":\"https://docs.example.invalid/" + name + "\","
                + "\"entrypoint\":[\"/bin/sample-plugin\",\"/run/docker/plugins/p.sock\"],\"workdir\":\"/\","
                + "\"interface\":{\"types\":[\"docker.volumedriver/1.0\"],\"socket\":\"p.sock\"}"
                + (config.isEmpty() ? "" : "," + config) + "}";
    }

    static List<Shape> all() {
        return List.of(
                new Shape("lowercase", "\"network\":{\"type\":\"\"}"),
                new Shape("mounts", "\"mounts\":[{\"name\":\"data\",\"description\":\"data dir\",\"source\":\"/var/lib/berth-it\","
                        + "\"destination\":\"/data\",\"type\":\"bind\",\"options\":[\"rbind\",\"rw\"],\"settable\":[\"source\"]},"
                        + "{\"name\":\"empty\",\"description\":\"no source\",\"destination\":\"/empty\",\"type\":\"bind\","
                        + "\"options\":[\"rbind\"],\"settable\":[\"source\"]}]"),
                new Shape("devices", "\"linux\":{\"devices\":[{\"name\":\"null\",\"description\":\"a device\",\"path\":\"/dev/null\","
                        + "\"settable\":[\"path\"]}]}"),
                new Shape("capabilities", "\"linux\":{\"capabilities\":[\"CAP_SYS_ADMIN\",\"CAP_NET_ADMIN\"],\"allowAllDevices\":false}"),
                new Shape("hostns", "\"network\":{\"type\":\"host\"},\"ipchost\":true,\"pidhost\":true"),
                new Shape("settable", "\"env\":[{\"name\":\"DEBUG\",\"description\":\"debug level\",\"settable\":[\"value\"],\"value\":\"0\"},"
                        + "{\"name\":\"FIXED\",\"value\":\"yes\"}],"
                        + "\"args\":{\"name\":\"args\",\"description\":\"extra args\",\"settable\":[\"value\"],\"value\":[\"--verbose\"]}"),
                new Shape("propagated", "\"propagatedMount\":\"/data\""));
    }

    @Override
    public String toString() {
        return name;
    }
}
