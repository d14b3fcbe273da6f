package dev.berth.client;

import dev.berth.internal.json.JsonObject;
import java.util.Map;
import java.util.Objects;

/**
 * Typed calls of Docker's IpamDriver plugin API ({@code /IpamDriver.*}), with the shapes of libnetwork's
 * remote IPAM. As libnetwork, an answer's error is read from {@code Error} (this API's field; the others
 * use {@code Err}), and a non-200 status fails the call with the {@code Err} text plugins built on
 * go-plugins-helpers send. Addresses and pools are CIDR text. Immutable and thread-safe.
 */
public final class IpamDriverClient {
    private static final String ERROR = "Error";
    private final PluginClient client;

    IpamDriverClient(PluginClient client) {
        this.client = client;
    }

    /** What {@code /IpamDriver.GetCapabilities} answers. */
    public record Capabilities(boolean requiresMacAddress, boolean requiresRequestReplay) {
    }

    /** The default address spaces. */
    public record AddressSpaces(String local, String global) {
        /** Checks. */
        public AddressSpaces {
            Objects.requireNonNull(local, "local");
            Objects.requireNonNull(global, "global");
        }
    }

    /** A pool the driver handed out: its ID, its CIDR, and driver data. */
    public record Pool(String poolId, String pool, Map<String, String> data) {
        /** Checks and copies. */
        public Pool {
            Objects.requireNonNull(poolId, "poolId");
            Objects.requireNonNull(pool, "pool");
            data = Map.copyOf(data);
        }
    }

    /** An address the driver handed out, with its prefix ({@code 10.1.0.2/16}), and driver data. */
    public record Address(String address, Map<String, String> data) {
        /** Checks and copies. */
        public Address {
            Objects.requireNonNull(address, "address");
            data = Map.copyOf(data);
        }
    }

    /** {@code /IpamDriver.GetCapabilities}. */
    public Capabilities capabilities() {
        String m = "IpamDriver.GetCapabilities";
        JsonObject o = client.callObject(m, new byte[0], ERROR);
        return new Capabilities(PluginClient.bool(m, o, "RequiresMACAddress"),
                PluginClient.bool(m, o, "RequiresRequestReplay"));
    }

    /** {@code /IpamDriver.GetDefaultAddressSpaces}. */
    public AddressSpaces defaultAddressSpaces() {
        String m = "IpamDriver.GetDefaultAddressSpaces";
        JsonObject o = client.callObject(m, new byte[0], ERROR);
        return new AddressSpaces(PluginClient.string(m, o, "LocalDefaultAddressSpace"),
                PluginClient.string(m, o, "GlobalDefaultAddressSpace"));
    }

    /**
     * {@code /IpamDriver.RequestPool}.
     *
     * @param pool    the wanted pool (CIDR), empty to let the driver choose
     * @param subPool a sub-range to allocate from, empty for the whole pool
     */
    public Pool requestPool(String addressSpace, String pool, String subPool, Map<String, String> options, boolean v6) {
        Objects.requireNonNull(addressSpace, "addressSpace");
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(subPool, "subPool");
        Objects.requireNonNull(options, "options");
        String m = "IpamDriver.RequestPool";
        JsonObject o = client.callObject(m, PluginClient.json(w -> {
            w.name("AddressSpace").value(addressSpace).name("Pool").value(pool).name("SubPool").value(subPool)
                    .name("Options");
            PluginClient.writeMap(w, options);
            w.name("V6").value(v6);
        }), ERROR);
        return new Pool(PluginClient.string(m, o, "PoolID"), PluginClient.string(m, o, "Pool"),
                PluginClient.readMap(m, o, "Data"));
    }

    /** {@code /IpamDriver.ReleasePool}. */
    public void releasePool(String poolId) {
        Objects.requireNonNull(poolId, "poolId");
        client.callObject("IpamDriver.ReleasePool", PluginClient.json(w -> w.name("PoolID").value(poolId)), ERROR);
    }

    /**
     * {@code /IpamDriver.RequestAddress}.
     *
     * @param address the wanted address (no prefix), empty to let the driver choose
     */
    public Address requestAddress(String poolId, String address, Map<String, String> options) {
        Objects.requireNonNull(poolId, "poolId");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(options, "options");
        String m = "IpamDriver.RequestAddress";
        JsonObject o = client.callObject(m, PluginClient.json(w -> {
            w.name("PoolID").value(poolId).name("Address").value(address).name("Options");
            PluginClient.writeMap(w, options);
        }), ERROR);
        return new Address(PluginClient.string(m, o, "Address"), PluginClient.readMap(m, o, "Data"));
    }

    /** {@code /IpamDriver.ReleaseAddress}: {@code address} without its prefix. */
    public void releaseAddress(String poolId, String address) {
        Objects.requireNonNull(poolId, "poolId");
        Objects.requireNonNull(address, "address");
        client.callObject("IpamDriver.ReleaseAddress", PluginClient.json(w -> w.name("PoolID").value(poolId)
                .name("Address").value(address)), ERROR);
    }
}
