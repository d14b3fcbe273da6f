/**
 * Berth API: the plugin model, the OCI vocabulary, the exceptions and every SPI that Berth's modules
 * implement and that hosts may implement themselves (a content store, a registry client, a layer applier,
 * a context splitter, a layer writer, a runtime, event and progress listeners). Depends on nothing but
 * the JDK, so an SPI implementation brings no third-party library along.
 */
module dev.berth.api {
    exports dev.berth.exception;
    exports dev.berth.oci;
    exports dev.berth.plugin;
    exports dev.berth.content;
    exports dev.berth.rootfs;
    exports dev.berth.remote;
    exports dev.berth.event;
    exports dev.berth.progress;
    exports dev.berth.runtime;

    // The Go-exact JSON writer behind RuntimeSpec.toJson, shared with the codecs of Berth's own modules.
    exports dev.berth.api.internal to
            dev.berth.internal,
            dev.berth.core,
            dev.berth.registry,
            dev.berth.runc,
            dev.berth.testkit;
}
