package dev.berth.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * How the host sends one request of Docker's plugin protocol to a running plugin and reads the answer:
 * a {@code POST /<Method>} with a JSON body. Berth's default is HTTP/1.1 over the plugin's unix socket
 * ({@code <exec-root>/<id>/<Interface.Socket>}); a {@link PluginRuntime} whose plugins serve no socket on
 * the host (the testkit's in-process fake, a VM) gives its own through {@link PluginRuntime#transport}.
 * The supervisor waits with {@link #ready()} and activates through {@link #post}; clients such as
 * {@code PluginClient} call through the transport of a {@link RunningPlugin}.
 *
 * <p>Implementations are thread-safe; each call is independent (no connection is kept).
 */
public interface PluginTransport {
    /**
     * A plugin's answer.
     *
     * @param status the HTTP status (200 for success)
     * @param body   the response body, raw bytes (normally JSON)
     */
    record Response(int status, byte[] body) {
        /** Checks and copies. */
        public Response {
            Objects.requireNonNull(body, "body");
            body = body.clone();
        }

        /** The body (a copy). */
        @Override
        public byte[] body() {
            return body.clone();
        }

        /** The body as UTF-8 text. */
        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /**
     * Whether the plugin accepts requests now. Never blocks for long and never throws for a plugin
     * that is not (yet) listening; the supervisor polls it while a plugin starts.
     */
    boolean ready();

    /**
     * Sends {@code POST <path>} with a body and reads the whole answer.
     *
     * @param path             the request path, e.g. {@code /Plugin.Activate} (leading slash, printable ASCII)
     * @param body             the request body, usually JSON (may be empty)
     * @param timeout          the deadline of the whole exchange
     * @param maxResponseBytes the largest response body accepted
     * @return the answer, whatever its status
     * @throws IOException if the plugin cannot be reached, does not answer in time, or answers something
     *                     that is not a well-formed response within the size cap
     */
    Response post(String path, byte[] body, Duration timeout, int maxResponseBytes) throws IOException;

    /** Where the plugin is reached, for messages (a socket path, {@code in-process:<id>}, ...). */
    String address();
}
