/**
 * Berth core: the facade, the plugin model, the OCI vocabulary and the SPIs that the other modules
 * implement. Depends on Jackson (streaming core only, never visible in public signatures) and the
 * SLF4J API.
 */
module dev.berth.core {
    requires com.fasterxml.jackson.core;
    requires org.slf4j;

    exports dev.berth;
    exports dev.berth.oci;
    exports dev.berth.plugin;
    exports dev.berth.content;
    exports dev.berth.rootfs;
    exports dev.berth.remote;
    exports dev.berth.event;
    exports dev.berth.progress;
    exports dev.berth.runtime;
    exports dev.berth.json;

    exports dev.berth.internal.json to
            dev.berth.store,
            dev.berth.archive,
            dev.berth.registry,
            dev.berth.runtime,
            dev.berth.testkit,
            dev.berth.examples;
    exports dev.berth.internal.unixhttp to
            dev.berth.runtime,
            dev.berth.testkit;
}
