/**
 * Berth internals shared by Berth's own modules: the Docker-exact JSON codecs (on Jackson's streaming
 * core) and Berth's one HTTP/1.1 client (plain, TLS and unix sockets). Not an API: every package is
 * exported only to the named modules, and nothing here may appear in a public signature.
 */
module dev.berth.internal {
    requires transitive dev.berth.api;
    requires com.fasterxml.jackson.core;
    // value types only (HttpHeaders, the timeout exceptions): no java.net.http client is ever built
    requires transitive java.net.http;

    exports dev.berth.internal.json to
            dev.berth.core,
            dev.berth.registry,
            dev.berth.runc,
            dev.berth.testkit,
            dev.berth.benchmarks;
    exports dev.berth.internal.http to
            dev.berth.registry;
    exports dev.berth.internal.unixhttp to
            dev.berth.core,
            dev.berth.runc,
            dev.berth.testkit;
}
