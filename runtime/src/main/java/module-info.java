/**
 * Berth runtime: runs plugins with runc ({@link dev.berth.runc.RuncRuntime}) and calls them over their
 * unix sockets ({@link dev.berth.client.PluginClient}).
 */
module dev.berth.runtime {
    requires transitive dev.berth.core;
    requires org.slf4j;

    exports dev.berth.runc;
    exports dev.berth.client;
}
