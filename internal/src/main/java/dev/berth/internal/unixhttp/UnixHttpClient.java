package dev.berth.internal.unixhttp;

import dev.berth.internal.http.Http1Client;
import dev.berth.internal.http.Http1Response;
import dev.berth.internal.http.StreamBody;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpTimeoutException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Docker's plugin protocol over a plugin's unix socket: one {@code POST} per connection
 * ({@code Connection: close}), sent and read by Berth's one HTTP/1.1 client ({@link Http1Client}, the
 * registry's too), so responses are parsed as strictly and framed the same way ({@code Content-Length},
 * chunked, or the end of the stream). Every call has one deadline over connect, write and read, and a cap
 * on the response size, so a plugin that hangs, trickles or floods cannot hold the caller.
 * Stateless and thread-safe.
 */
public final class UnixHttpClient {
    /** Docker's plugin protocol media type, sent as {@code Accept} and {@code Content-Type}. */
    public static final String PLUGIN_MEDIA_TYPE = "application/vnd.docker.plugins.v1.2+json";

    private UnixHttpClient() {
    }

    /** A response: status code, headers (keys lower-cased), body. */
    public record Response(int status, Map<String, String> headers, byte[] body) {
        /** Copies. */
        public Response {
            headers = Map.copyOf(headers);
            Objects.requireNonNull(body, "body");
        }

        /** The body as UTF-8 text. */
        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /**
     * Whether something accepts connections on the socket now. Never blocks (a listener with a full
     * backlog counts as not accepting) and never throws for a missing or refusing socket.
     */
    public static boolean accepts(Path socket) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.configureBlocking(false);
            return ch.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Sends {@code POST <path>} with a JSON body and reads the whole response.
     *
     * @param socket   the unix socket
     * @param path     the request path, e.g. {@code /Plugin.Activate}
     * @param body     the request body (may be empty)
     * @param timeout  the deadline for the whole exchange
     * @param maxBody  the largest response body accepted
     * @throws IOException on a connection failure, a timeout ({@link SocketTimeoutException}), a malformed
     *                     or oversized response
     * @throws IllegalArgumentException for a path that is not printable ASCII starting with {@code /}
     */
    public static Response post(Path socket, String path, byte[] body, Duration timeout, int maxBody)
            throws IOException {
        Objects.requireNonNull(socket, "socket");
        URI uri;
        try {
            if (!path.startsWith("/") || path.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) {
                throw new IllegalArgumentException();
            }
            // the host names nothing (the socket is the address); Docker's client sends a placeholder too
            uri = URI.create("http://plugin" + path);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad request path: \"" + path + "\"", e);
        }
        Http1Client.Exchange request = new Http1Client.Exchange("POST", uri, List.of(
                new String[] {"User-Agent", "berth"},
                new String[] {"Accept", PLUGIN_MEDIA_TYPE},
                new String[] {"Content-Type", PLUGIN_MEDIA_TYPE}),
                Optional.of(StreamBody.of(body)), timeout, false);
        try (Http1Response r = Http1Client.send(request, Http1Client.Dialer.unix(socket, timeout), () -> { })) {
            OptionalLong declared = Http1Response.contentLength(r.headers());
            if (declared.isPresent() && declared.getAsLong() > maxBody) {
                throw new IOException("plugin response of " + declared.getAsLong() + " bytes exceeds the limit of "
                        + maxBody);
            }
            byte[] bytes = r.body().readNBytes(maxBody + 1);
            if (bytes.length > maxBody) {
                throw new IOException("plugin response exceeds the limit of " + maxBody + " bytes");
            }
            Map<String, String> headers = new LinkedHashMap<>();
            r.headers().map().forEach((name, values) ->
                    headers.put(name.toLowerCase(Locale.ROOT), String.join(", ", values)));
            return new Response(r.status(), headers, bytes);
        } catch (HttpTimeoutException e) {
            SocketTimeoutException timedOut = new SocketTimeoutException("plugin did not answer in time ("
                    + e.getMessage() + ")");
            timedOut.initCause(e);
            throw timedOut;
        }
    }
}
