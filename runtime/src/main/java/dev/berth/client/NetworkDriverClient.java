package dev.berth.client;

import dev.berth.api.internal.GoJsonWriter;
import dev.berth.internal.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Typed calls of Docker's NetworkDriver plugin API ({@code /NetworkDriver.*}), with the request and
 * answer shapes of libnetwork's remote driver. Each method fails with a {@link PluginCallException}
 * when the call fails, the plugin answers a non-200 status, or a non-empty {@code Err}. Driver options
 * are sent as strings. Immutable and thread-safe.
 */
public final class NetworkDriverClient {
    private final PluginClient client;

    NetworkDriverClient(PluginClient client) {
        this.client = client;
    }

    /** What {@code /NetworkDriver.GetCapabilities} answers. */
    public record Capabilities(String scope, String connectivityScope) {
        /** Checks. */
        public Capabilities {
            Objects.requireNonNull(scope, "scope");
            Objects.requireNonNull(connectivityScope, "connectivityScope");
        }
    }

    /**
     * One address pool of a network ({@code IPv4Data}/{@code IPv6Data}), CIDRs as text.
     *
     * @param addressSpace the IPAM address space
     * @param pool         the pool, e.g. {@code 10.1.0.0/16}
     * @param gateway      the gateway with its prefix, e.g. {@code 10.1.0.1/16}; empty for none
     * @param auxAddresses extra reserved addresses by name
     */
    public record IpamData(String addressSpace, String pool, String gateway, Map<String, String> auxAddresses) {
        /** Checks and copies. */
        public IpamData {
            Objects.requireNonNull(addressSpace, "addressSpace");
            Objects.requireNonNull(pool, "pool");
            Objects.requireNonNull(gateway, "gateway");
            auxAddresses = Map.copyOf(auxAddresses);
        }
    }

    /** An endpoint's interface addresses ({@code Interface}); empty strings where unset. */
    public record EndpointInterface(String address, String addressIPv6, String macAddress) {
        /** Checks. */
        public EndpointInterface {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(addressIPv6, "addressIPv6");
            Objects.requireNonNull(macAddress, "macAddress");
        }
    }

    /** A static route a join asks for. */
    public record StaticRoute(String destination, int routeType, String nextHop) {
        /** Checks. */
        public StaticRoute {
            Objects.requireNonNull(destination, "destination");
            Objects.requireNonNull(nextHop, "nextHop");
        }
    }

    /**
     * What {@code /NetworkDriver.Join} answers.
     *
     * @param srcName               the interface's name in the host namespace ({@code InterfaceName.SrcName})
     * @param dstPrefix             the name prefix inside the sandbox ({@code InterfaceName.DstPrefix})
     * @param gateway               the IPv4 gateway, empty if none
     * @param gatewayIPv6           the IPv6 gateway, empty if none
     * @param staticRoutes          routes to add
     * @param disableGatewayService whether the endpoint needs no default gateway service
     */
    public record JoinResult(String srcName, String dstPrefix, String gateway, String gatewayIPv6,
                             List<StaticRoute> staticRoutes, boolean disableGatewayService) {
        /** Checks and copies. */
        public JoinResult {
            Objects.requireNonNull(srcName, "srcName");
            Objects.requireNonNull(dstPrefix, "dstPrefix");
            Objects.requireNonNull(gateway, "gateway");
            Objects.requireNonNull(gatewayIPv6, "gatewayIPv6");
            staticRoutes = List.copyOf(staticRoutes);
        }
    }

    /** {@code /NetworkDriver.GetCapabilities}: the scope, {@code local} or {@code global}. */
    public Capabilities capabilities() {
        String m = "NetworkDriver.GetCapabilities";
        JsonObject o = client.callObject(m, new byte[0]);
        String scope = PluginClient.string(m, o, "Scope");
        if (!scope.equals("local") && !scope.equals("global")) {
            // libnetwork refuses anything else
            throw new PluginCallException(m, m + ": invalid capability: expecting 'local' or 'global', got "
                    + scope, null);
        }
        return new Capabilities(scope, PluginClient.string(m, o, "ConnectivityScope"));
    }

    /** {@code /NetworkDriver.CreateNetwork}. */
    public void createNetwork(String networkId, Map<String, String> options, List<IpamData> ipv4, List<IpamData> ipv6) {
        Objects.requireNonNull(networkId, "networkId");
        Objects.requireNonNull(options, "options");
        List<IpamData> v4 = List.copyOf(ipv4);
        List<IpamData> v6 = List.copyOf(ipv6);
        client.callObject("NetworkDriver.CreateNetwork", PluginClient.json(w -> {
            w.name("NetworkID").value(networkId).name("Options");
            PluginClient.writeMap(w, options);
            w.name("IPv4Data");
            ipam(w, v4);
            w.name("IPv6Data");
            ipam(w, v6);
        }));
    }

    /** {@code /NetworkDriver.DeleteNetwork}. */
    public void deleteNetwork(String networkId) {
        Objects.requireNonNull(networkId, "networkId");
        client.callObject("NetworkDriver.DeleteNetwork", PluginClient.json(w -> w.name("NetworkID").value(networkId)));
    }

    /**
     * {@code /NetworkDriver.CreateEndpoint}.
     *
     * @param requested the addresses the daemon chose, if any
     * @return the interface the driver chose, if it answered one
     */
    public Optional<EndpointInterface> createEndpoint(String networkId, String endpointId,
                                                      Optional<EndpointInterface> requested, Map<String, String> options) {
        Objects.requireNonNull(networkId, "networkId");
        Objects.requireNonNull(endpointId, "endpointId");
        Objects.requireNonNull(requested, "requested");
        Objects.requireNonNull(options, "options");
        String m = "NetworkDriver.CreateEndpoint";
        JsonObject o = client.callObject(m, PluginClient.json(w -> {
            w.name("NetworkID").value(networkId).name("EndpointID").value(endpointId).name("Interface");
            if (requested.isPresent()) {
                EndpointInterface i = requested.get();
                w.beginObject().name("Address").value(i.address()).name("AddressIPv6").value(i.addressIPv6())
                        .name("MacAddress").value(i.macAddress()).endObject();
            } else {
                w.nullValue();
            }
            w.name("Options");
            PluginClient.writeMap(w, options);
        }));
        JsonObject i = object(m, o, "Interface");
        if (i == null) {
            return Optional.empty();
        }
        return Optional.of(new EndpointInterface(PluginClient.string(m, i, "Address"),
                PluginClient.string(m, i, "AddressIPv6"), PluginClient.string(m, i, "MacAddress")));
    }

    /** {@code /NetworkDriver.DeleteEndpoint}. */
    public void deleteEndpoint(String networkId, String endpointId) {
        client.callObject("NetworkDriver.DeleteEndpoint", ids(networkId, endpointId));
    }

    /** {@code /NetworkDriver.EndpointOperInfo}: the driver's operational data of an endpoint. */
    public Map<String, String> endpointInfo(String networkId, String endpointId) {
        String m = "NetworkDriver.EndpointOperInfo";
        return PluginClient.readMap(m, client.callObject(m, ids(networkId, endpointId)), "Value");
    }

    /** {@code /NetworkDriver.Join}: attaches an endpoint to a sandbox (a network namespace path). */
    public JoinResult join(String networkId, String endpointId, String sandboxKey, Map<String, String> options) {
        Objects.requireNonNull(networkId, "networkId");
        Objects.requireNonNull(endpointId, "endpointId");
        Objects.requireNonNull(sandboxKey, "sandboxKey");
        Objects.requireNonNull(options, "options");
        String m = "NetworkDriver.Join";
        JsonObject o = client.callObject(m, PluginClient.json(w -> {
            w.name("NetworkID").value(networkId).name("EndpointID").value(endpointId)
                    .name("SandboxKey").value(sandboxKey).name("Options");
            PluginClient.writeMap(w, options);
        }));
        JsonObject name = object(m, o, "InterfaceName");
        List<StaticRoute> routes = new ArrayList<>();
        List<Object> raw;
        try {
            raw = o.array("StaticRoutes");
            if (raw != null) {
                for (Object r : raw) {
                    if (!(r instanceof JsonObject route)) {
                        throw new PluginCallException(m, m + ": a static route is not an object", null);
                    }
                    routes.add(new StaticRoute(route.string("Destination"),
                            (int) route.integer("RouteType", 0, Integer.MAX_VALUE), route.string("NextHop")));
                }
            }
        } catch (IllegalArgumentException e) {
            throw new PluginCallException(m, m + ": malformed StaticRoutes: " + e.getMessage(), e);
        }
        return new JoinResult(name == null ? "" : PluginClient.string(m, name, "SrcName"),
                name == null ? "" : PluginClient.string(m, name, "DstPrefix"), PluginClient.string(m, o, "Gateway"),
                PluginClient.string(m, o, "GatewayIPv6"), routes, PluginClient.bool(m, o, "DisableGatewayService"));
    }

    /** {@code /NetworkDriver.Leave}. */
    public void leave(String networkId, String endpointId) {
        client.callObject("NetworkDriver.Leave", ids(networkId, endpointId));
    }

    private static byte[] ids(String networkId, String endpointId) {
        Objects.requireNonNull(networkId, "networkId");
        Objects.requireNonNull(endpointId, "endpointId");
        return PluginClient.json(w -> w.name("NetworkID").value(networkId).name("EndpointID").value(endpointId));
    }

    /** IPAM data as libnetwork marshals it: a map, so keys sorted and unset fields left out. */
    private static void ipam(GoJsonWriter w, List<IpamData> list) {
        w.beginArray();
        for (IpamData d : list) {
            w.beginObject().name("AddressSpace").value(d.addressSpace());
            if (!d.auxAddresses().isEmpty()) {
                w.name("AuxAddresses");
                PluginClient.writeMap(w, d.auxAddresses());
            }
            if (!d.gateway().isEmpty()) {
                w.name("Gateway").value(d.gateway());
            }
            if (!d.pool().isEmpty()) {
                w.name("Pool").value(d.pool());
            }
            w.endObject();
        }
        w.endArray();
    }

    private static JsonObject object(String method, JsonObject o, String key) {
        try {
            return o.object(key);
        } catch (IllegalArgumentException e) {
            throw new PluginCallException(method, method + ": malformed " + key + ": " + e.getMessage(), e);
        }
    }
}
