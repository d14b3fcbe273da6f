package dev.berth.testkit.runtime;

import dev.berth.api.internal.GoJsonWriter;
import dev.berth.internal.json.Json;
import dev.berth.internal.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A fake plugin's brain: answers Docker's plugin protocol in memory as a working VolumeDriver,
 * NetworkDriver, IpamDriver, authorization plugin and LogDriver at once, with the wire formats of
 * Docker's plugin helpers (errors as HTTP 500 with {@code {"Err":"..."}}). The same behaviour as the C
 * test plugin of the runc tests, so a test can run against either. Use it as the handler of
 * {@link FakePluginRuntime#inProcess} or a {@link FakePluginServer}; inspect its state with
 * {@link #volumes()}, {@link #networks()}, {@link #endpoints()}, {@link #pools()}, {@link #addresses()}
 * and {@link #logging()}.
 *
 * <p>Rules: volume, network and endpoint names are created once; IPAM hands out pool
 * {@code 10.<n>.0.0/16} (or the requested one) and addresses from {@code .2} on; the authz plugin denies
 * a request whose URI contains {@code /deny}, and allows everything else. Thread-safe.
 */
public final class FakeDriverPlugin implements Function<FakePluginServer.Request, FakePluginServer.Response> {
    /** What {@code /Plugin.Activate} answers by default. */
    public static final List<String> ALL = List.of("VolumeDriver", "NetworkDriver", "IpamDriver", "authz", "LogDriver");

    private final List<String> implemented;
    private final Set<String> volumes = new TreeSet<>();
    private final Set<String> networks = new TreeSet<>();
    private final Set<String> endpoints = new TreeSet<>();
    private final Map<String, String> pools = new TreeMap<>();
    private final Set<String> addresses = new TreeSet<>();
    private final Set<String> logging = new TreeSet<>();
    private int nextPool = 1;

    /** A plugin that implements every API ({@link #ALL}). */
    public FakeDriverPlugin() {
        this(ALL);
    }

    /** A plugin whose {@code /Plugin.Activate} names these interfaces (it still answers every API). */
    public FakeDriverPlugin(List<String> implemented) {
        this.implemented = List.copyOf(implemented);
    }

    /** The volumes created and not removed. */
    public synchronized Set<String> volumes() {
        return Set.copyOf(volumes);
    }

    /** The networks created and not deleted. */
    public synchronized Set<String> networks() {
        return Set.copyOf(networks);
    }

    /** The endpoints, as {@code <network>/<endpoint>}. */
    public synchronized Set<String> endpoints() {
        return Set.copyOf(endpoints);
    }

    /** The pools handed out: ID to CIDR. */
    public synchronized Map<String, String> pools() {
        return Map.copyOf(pools);
    }

    /** The addresses handed out, as {@code <pool ID>/<address>}. */
    public synchronized Set<String> addresses() {
        return Set.copyOf(addresses);
    }

    /** The log FIFOs being read (started and not stopped). */
    public synchronized Set<String> logging() {
        return Set.copyOf(logging);
    }

    @Override
    public synchronized FakePluginServer.Response apply(FakePluginServer.Request request) {
        Objects.requireNonNull(request, "request");
        JsonObject in;
        try {
            String body = request.body().isBlank() ? "{}" : request.body();
            Object parsed = Json.parse(body.getBytes(StandardCharsets.UTF_8));
            in = parsed instanceof JsonObject o ? o : Json.parseObject("{}".getBytes(StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return error("bad request: " + e.getMessage());
        }
        try {
            return answer(request.path(), in);
        } catch (IllegalArgumentException e) {
            return error(e.getMessage());
        }
    }

    private FakePluginServer.Response answer(String path, JsonObject in) {
        String name = in.string("Name");
        switch (path) {
            case "/Plugin.Activate":
                return ok(w -> w.name("Implements").stringArray(implemented));
            case "/VolumeDriver.Capabilities":
                return ok(w -> w.name("Capabilities").beginObject().name("Scope").value("local").endObject());
            case "/VolumeDriver.Create":
                if (name.isEmpty()) {
                    return error("bad volume name");
                }
                volumes.add(name);
                return empty();
            case "/VolumeDriver.Remove":
                return volumes.remove(name) ? empty() : error("no such volume");
            case "/VolumeDriver.Mount", "/VolumeDriver.Path":
                return volumes.contains(name) ? ok(w -> w.name("Mountpoint").value("/data/" + name)) : error("no such volume");
            case "/VolumeDriver.Unmount":
                return empty();
            case "/VolumeDriver.Get":
                return volumes.contains(name) ? ok(w -> w.name("Volume").beginObject().name("Name").value(name)
                        .name("Mountpoint").value("/data/" + name).endObject()) : error("no such volume");
            case "/VolumeDriver.List": {
                List<String> all = new ArrayList<>(volumes);
                return ok(w -> w.name("Volumes").array(all, (ww, v) -> ww.beginObject().name("Name").value(v)
                        .name("Mountpoint").value("/data/" + v).endObject()));
            }
            case "/NetworkDriver.GetCapabilities":
                return ok(w -> w.name("Scope").value("local").name("ConnectivityScope").value("local"));
            case "/NetworkDriver.CreateNetwork": {
                String id = in.string("NetworkID");
                if (id.isEmpty() || !networks.add(id)) {
                    return error("network " + id + " exists or has no ID");
                }
                return empty();
            }
            case "/NetworkDriver.DeleteNetwork":
                return networks.remove(in.string("NetworkID")) ? empty() : error("no such network");
            case "/NetworkDriver.CreateEndpoint": {
                String net = in.string("NetworkID");
                if (!networks.contains(net)) {
                    return error("no such network");
                }
                endpoints.add(net + "/" + in.string("EndpointID"));
                return ok(w -> w.name("Interface").beginObject().name("MacAddress").value("02:42:ac:11:00:02").endObject());
            }
            case "/NetworkDriver.DeleteEndpoint":
                return endpoints.remove(endpoint(in)) ? empty() : error("no such endpoint");
            case "/NetworkDriver.EndpointOperInfo":
                return endpoints.contains(endpoint(in))
                        ? ok(w -> w.name("Value").beginObject().name("state").value("up").endObject())
                        : error("no such endpoint");
            case "/NetworkDriver.Join":
                return endpoints.contains(endpoint(in)) ? ok(w -> w.name("InterfaceName").beginObject()
                        .name("SrcName").value("veth0").name("DstPrefix").value("eth").endObject()
                        .name("Gateway").value("10.1.0.1")) : error("no such endpoint");
            case "/NetworkDriver.Leave":
                return endpoints.contains(endpoint(in)) ? empty() : error("no such endpoint");
            case "/IpamDriver.GetCapabilities":
                return ok(w -> w.name("RequiresMACAddress").value(false).name("RequiresRequestReplay").value(false));
            case "/IpamDriver.GetDefaultAddressSpaces":
                return ok(w -> w.name("LocalDefaultAddressSpace").value("local")
                        .name("GlobalDefaultAddressSpace").value("global"));
            case "/IpamDriver.RequestPool": {
                String pool = in.string("Pool").isEmpty() ? "10." + nextPool + ".0.0/16" : in.string("Pool");
                String id = "pool" + nextPool++;
                pools.put(id, pool);
                return ok(w -> w.name("PoolID").value(id).name("Pool").value(pool).name("Data").beginObject().endObject());
            }
            case "/IpamDriver.ReleasePool":
                return pools.remove(in.string("PoolID")) != null ? empty() : error("no such pool");
            case "/IpamDriver.RequestAddress": {
                String id = in.string("PoolID");
                String pool = pools.get(id);
                if (pool == null) {
                    return error("no such pool");
                }
                String prefix = pool.substring(0, pool.lastIndexOf('.') + 1);
                String address = in.string("Address");
                if (address.isEmpty()) {
                    int n = 2;
                    while (addresses.contains(id + "/" + prefix + n)) {
                        n++;
                    }
                    address = prefix + n;
                }
                addresses.add(id + "/" + address);
                String cidr = address + pool.substring(pool.indexOf('/'));
                return ok(w -> w.name("Address").value(cidr).name("Data").beginObject().endObject());
            }
            case "/IpamDriver.ReleaseAddress":
                return addresses.remove(in.string("PoolID") + "/" + in.string("Address")) ? empty() : error("no such address");
            case "/AuthZPlugin.AuthZReq", "/AuthZPlugin.AuthZRes": {
                boolean deny = in.string("RequestUri").contains("/deny");
                return ok(w -> {
                    w.name("Allow").value(!deny);
                    if (deny) {
                        w.name("Msg").value("denied by the test plugin");
                    }
                });
            }
            case "/LogDriver.Capabilities":
                return ok(w -> w.name("Cap").beginObject().name("ReadLogs").value(false).endObject());
            case "/LogDriver.StartLogging": {
                String file = in.string("File");
                if (file.isEmpty()) {
                    return error("no file");
                }
                logging.add(file);
                return empty();
            }
            case "/LogDriver.StopLogging":
                return logging.remove(in.string("File")) ? empty() : error("not logging " + in.string("File"));
            default:
                return FakePluginServer.Response.of(404, "{\"Err\":\"unknown method " + path.replace("\"", "") + "\"}");
        }
    }

    private static String endpoint(JsonObject in) {
        return in.string("NetworkID") + "/" + in.string("EndpointID");
    }

    private static FakePluginServer.Response ok(Consumer<GoJsonWriter> fields) {
        GoJsonWriter w = new GoJsonWriter().beginObject();
        fields.accept(w);
        return FakePluginServer.Response.ok(w.endObject().toString());
    }

    private static FakePluginServer.Response empty() {
        return FakePluginServer.Response.ok("{}");
    }

    private static FakePluginServer.Response error(String message) {
        GoJsonWriter w = new GoJsonWriter().beginObject().name("Err").value(message).endObject();
        return FakePluginServer.Response.of(500, w.toString());
    }
}
