package dev.berth.registry;

/**
 * Every case of {@link HttpRegistryResolverTest} again, with plain-http GETs going through the JDK client
 * instead of Berth's own HTTP/1.1 reader: the fault defences must hold on both paths (https always uses
 * the JDK client, and those fakes speak plain http).
 */
class HttpRegistryResolverJdkClientTest extends HttpRegistryResolverTest {
    @Override
    HttpRegistryResolver.Builder newBuilder() {
        return HttpRegistryResolver.builder().fastPlainHttp(false);
    }
}
