/** Berth examples. See the module's pom.xml for its role. */
module dev.berth.examples {
    requires transitive dev.berth.core;
    requires dev.berth.store;
    requires dev.berth.archive;
    requires dev.berth.registry;
    requires dev.berth.runtime;
    requires info.picocli;
}
