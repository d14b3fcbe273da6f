/**
 * Berth internals shared by Berth's own modules: the Docker-exact JSON codecs (on Jackson's streaming
 * core) and HTTP/1.1 over unix sockets. Not an API: every package is exported only to the named modules,
 * and nothing here may appear in a public signature.
 */
module dev.berth.internal {
    requires transitive dev.berth.api;
    requires com.fasterxml.jackson.core;

    exports dev.berth.internal.json to
            dev.berth.core,
            dev.berth.registry,
            dev.berth.runc,
            dev.berth.testkit,
            dev.berth.benchmarks;
    exports dev.berth.internal.unixhttp to
            dev.berth.core,
            dev.berth.runc,
            dev.berth.testkit;
}
