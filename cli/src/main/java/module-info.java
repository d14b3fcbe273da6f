/**
 * Berth CLI: the {@code berth} command, {@code docker plugin}'s verbs on a plugin root of its own. Uses
 * Berth's public API only.
 */
module dev.berth.cli {
    requires dev.berth.core;
    requires dev.berth.store;
    requires dev.berth.archive;
    requires dev.berth.registry;
    requires dev.berth.runc;
    requires info.picocli;
    requires org.apache.commons.compress;
    requires org.slf4j;

    // picocli fills the command classes' fields by reflection.
    opens dev.berth.cli to info.picocli;
}
