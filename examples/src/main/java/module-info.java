/**
 * Berth examples: runnable examples of the library ({@code dev.berth.examples}), compiled and run by the
 * build so they cannot drift from the API.
 */
module dev.berth.examples {
    requires dev.berth.core;
    requires dev.berth.store;
    requires dev.berth.archive;
    requires dev.berth.registry;
    requires dev.berth.runc;

    exports dev.berth.examples;
}
