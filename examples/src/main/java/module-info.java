/**
 * Berth examples: the {@code berth} command-line tool ({@code dev.berth.cli}) and runnable examples of
 * the library ({@code dev.berth.examples}).
 */
module dev.berth.examples {
    requires transitive dev.berth.core;
    requires dev.berth.store;
    requires dev.berth.archive;
    requires dev.berth.registry;
    requires dev.berth.runtime;
    requires info.picocli;
    requires org.apache.commons.compress;
    requires org.slf4j;

    exports dev.berth.cli;
    exports dev.berth.examples;

    // picocli fills the command classes' fields by reflection.
    opens dev.berth.cli to info.picocli;
}
