/**
 * Berth archive: applies tar layers onto a root filesystem safely, splits {@code docker plugin create}
 * contexts, and writes directories as reproducible layers. Implements the {@code dev.berth.rootfs} SPIs.
 */
module dev.berth.archive {
    requires transitive dev.berth.api;
    requires org.apache.commons.compress;
    requires org.slf4j;
    requires static com.github.luben.zstd_jni;

    exports dev.berth.archive;
}
