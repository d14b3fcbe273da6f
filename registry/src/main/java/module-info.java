/**
 * Berth registry: an OCI distribution client for plugins over Berth's one HTTP/1.1 client (plain http
 * and TLS, strict response parsing, no threads of its own) (resolve, fetch
 * with resume and verification, push with mounts and chunked uploads, Basic and Bearer auth, Docker's
 * credential store) and an OCI image-layout directory as an offline registry.
 */
module dev.berth.registry {
    requires transitive dev.berth.api;
    requires dev.berth.internal;
    requires java.net.http;
    requires org.slf4j;

    exports dev.berth.registry;
    exports dev.berth.registry.layout;
}
