/**
 * Berth core: the facade ({@link dev.berth.PluginManager}) and the engine behind it, and Docker-shaped
 * JSON of the model ({@link dev.berth.json.DockerJson}). Brings {@code dev.berth.api} along, so users
 * depend on this module alone.
 */
module dev.berth.core {
    requires transitive dev.berth.api;
    requires dev.berth.internal;
    requires org.slf4j;

    exports dev.berth;
    exports dev.berth.json;
}
