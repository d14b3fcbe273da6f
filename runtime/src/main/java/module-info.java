/**
 * Berth runtime: runs plugins with runc ({@link dev.berth.runc.RuncRuntime}) and calls them over their
 * unix sockets ({@link dev.berth.client.PluginClient}).
 */
module dev.berth.runc {
    requires transitive dev.berth.api;
    requires dev.berth.internal;
    requires org.slf4j;

    exports dev.berth.runc;
    exports dev.berth.client;
}
