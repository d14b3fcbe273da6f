package dev.berth.client;

import dev.berth.api.internal.GoJsonWriter;
import dev.berth.internal.json.JsonObject;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;

/**
 * Typed calls of Docker's authorization plugin API ({@code /AuthZPlugin.AuthZReq} and
 * {@code /AuthZPlugin.AuthZRes}; the plugin's {@code Implements} names {@code authz}). Requests carry
 * the fields of moby's {@code authorization.Request}, empty ones left out as Go's {@code omitempty}
 * does, bodies base64 as Go encodes {@code []byte}. A non-empty {@code Err} (the plugin failed, as
 * opposed to denying) fails the call with a {@link PluginCallException}. Immutable and thread-safe.
 */
public final class AuthzClient {
    private final PluginClient client;

    AuthzClient(PluginClient client) {
        this.client = client;
    }

    /**
     * What the daemon asks the plugin about. Empty strings, maps and arrays and a zero status are
     * left out of the JSON.
     *
     * @param user               the authenticated user, empty if none
     * @param userAuthNMethod    how the user was authenticated (e.g. {@code TLS})
     * @param requestMethod      the HTTP method of the API request
     * @param requestUri         the request URI, e.g. {@code /v1.41/containers/json}
     * @param requestBody        the raw request body
     * @param requestHeaders     the request headers
     * @param responseStatusCode the daemon's status (AuthZRes only), 0 otherwise
     * @param responseBody       the daemon's response body (AuthZRes only)
     * @param responseHeaders    the daemon's response headers (AuthZRes only)
     */
    public record Request(String user, String userAuthNMethod, String requestMethod, String requestUri,
                          byte[] requestBody, Map<String, String> requestHeaders, int responseStatusCode,
                          byte[] responseBody, Map<String, String> responseHeaders) {
        /** Checks and copies. */
        public Request {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(userAuthNMethod, "userAuthNMethod");
            Objects.requireNonNull(requestMethod, "requestMethod");
            Objects.requireNonNull(requestUri, "requestUri");
            requestBody = requestBody.clone();
            requestHeaders = Map.copyOf(requestHeaders);
            responseBody = responseBody.clone();
            responseHeaders = Map.copyOf(responseHeaders);
        }

        /** A request-phase question: method and URI, nothing else. */
        public static Request of(String user, String requestMethod, String requestUri) {
            return new Request(user, "", requestMethod, requestUri, new byte[0], Map.of(), 0, new byte[0], Map.of());
        }

        /** The request body (a copy). */
        @Override
        public byte[] requestBody() {
            return requestBody.clone();
        }

        /** The response body (a copy). */
        @Override
        public byte[] responseBody() {
            return responseBody.clone();
        }
    }

    /** The plugin's verdict: whether it allows, and its message (empty if none). */
    public record Decision(boolean allow, String msg) {
        /** Checks. */
        public Decision {
            Objects.requireNonNull(msg, "msg");
        }
    }

    /** {@code /AuthZPlugin.AuthZReq}: may this API request go to the daemon? */
    public Decision authorizeRequest(Request request) {
        return call("AuthZPlugin.AuthZReq", request);
    }

    /** {@code /AuthZPlugin.AuthZRes}: may this response go back to the client? */
    public Decision authorizeResponse(Request request) {
        return call("AuthZPlugin.AuthZRes", request);
    }

    private Decision call(String method, Request r) {
        Objects.requireNonNull(r, "request");
        JsonObject o = client.callObject(method, PluginClient.json(w -> write(w, r)));
        return new Decision(PluginClient.bool(method, o, "Allow"), PluginClient.string(method, o, "Msg"));
    }

    /** In the order of moby's struct, with {@code omitempty}. */
    private static void write(GoJsonWriter w, Request r) {
        Base64.Encoder b64 = Base64.getEncoder();
        nonEmpty(w, "User", r.user());
        nonEmpty(w, "UserAuthNMethod", r.userAuthNMethod());
        nonEmpty(w, "RequestMethod", r.requestMethod());
        nonEmpty(w, "RequestUri", r.requestUri());
        if (r.requestBody.length > 0) {
            w.name("RequestBody").value(b64.encodeToString(r.requestBody));
        }
        if (!r.requestHeaders().isEmpty()) {
            w.name("RequestHeaders");
            PluginClient.writeMap(w, r.requestHeaders());
        }
        if (r.responseStatusCode() != 0) {
            w.name("ResponseStatusCode").value(r.responseStatusCode());
        }
        if (r.responseBody.length > 0) {
            w.name("ResponseBody").value(b64.encodeToString(r.responseBody));
        }
        if (!r.responseHeaders().isEmpty()) {
            w.name("ResponseHeaders");
            PluginClient.writeMap(w, r.responseHeaders());
        }
    }

    private static void nonEmpty(GoJsonWriter w, String name, String value) {
        if (!value.isEmpty()) {
            w.name(name).value(value);
        }
    }
}
