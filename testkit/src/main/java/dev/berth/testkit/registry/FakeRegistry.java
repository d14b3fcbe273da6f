package dev.berth.testkit.registry;

import dev.berth.oci.Digest;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An in-process OCI distribution registry on 127.0.0.1 for tests: blobs and manifests in memory,
 * monolithic and chunked uploads, cross-repository mounts, {@code Range} requests, optional Basic or
 * Bearer auth (with its own token endpoint at {@code /token}), and {@linkplain #inject scripted faults}.
 * Every request is recorded. Thread-safe. Close it to stop it.
 */
public final class FakeRegistry implements AutoCloseable {
    private static final Pattern UPLOADS = Pattern.compile("/v2/(.+)/blobs/uploads/([^/]*)");
    private static final Pattern CONTENT = Pattern.compile("/v2/(.+)/(manifests|blobs)/([^/]+)");

    private final TestHttpServer server;
    private final Map<Digest, byte[]> blobs = new ConcurrentHashMap<>();
    private final Map<String, Set<Digest>> links = new ConcurrentHashMap<>();
    /** repo -> tag or digest -> [mediaType, bytes]. */
    private final Map<String, Map<String, Object[]>> manifests = new ConcurrentHashMap<>();
    private final Map<String, java.io.ByteArrayOutputStream> uploads = new ConcurrentHashMap<>();
    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final Set<String> tokens = ConcurrentHashMap.newKeySet();
    private final AtomicInteger tokenCounter = new AtomicInteger();
    private volatile String basicUser;
    private volatile String basicPassword;
    private volatile boolean bearer;
    private volatile boolean anonymousPull;
    private volatile long chunkMinLength;
    private volatile String refreshToken;

    private record Rule(String method, Pattern path, AtomicInteger remaining, Fault fault) {
    }

    private FakeRegistry() {
        server = new TestHttpServer(this::handle);
    }

    /** Starts an anonymous registry. */
    public static FakeRegistry start() {
        return new FakeRegistry();
    }

    /** Requires Basic auth with these credentials from now on. */
    public FakeRegistry basicAuth(String user, String password) {
        this.basicUser = Objects.requireNonNull(user, "user");
        this.basicPassword = Objects.requireNonNull(password, "password");
        this.bearer = false;
        return this;
    }

    /**
     * Requires Bearer tokens from now on, issued by {@code /token} on this server (GET with Basic
     * credentials, or an OAuth2 password-grant POST); anonymous tokens only when {@code anonymousPull}.
     */
    public FakeRegistry bearerAuth(String user, String password, boolean anonymousPull) {
        this.basicUser = Objects.requireNonNull(user, "user");
        this.basicPassword = Objects.requireNonNull(password, "password");
        this.bearer = true;
        this.anonymousPull = anonymousPull;
        return this;
    }

    /** Accepts this OAuth2 refresh token (an identity token) at {@code /token} for the Bearer user. */
    public FakeRegistry refreshToken(String token) {
        this.refreshToken = Objects.requireNonNull(token, "token");
        return this;
    }

    /** Announces {@code OCI-Chunk-Min-Length} on upload sessions. */
    public FakeRegistry chunkMinLength(long bytes) {
        this.chunkMinLength = bytes;
        return this;
    }

    /** {@code 127.0.0.1:port}: the registry host for references. */
    public String host() {
        return server.host();
    }

    /** {@code http://127.0.0.1:port}. */
    public URI uri() {
        return server.uri();
    }

    /** Every request received so far. */
    public List<RecordedRequest> requests() {
        return server.requests();
    }

    /** The requests whose method matches and whose path matches the regex. */
    public List<RecordedRequest> requests(String method, String pathRegex) {
        Pattern p = Pattern.compile(pathRegex);
        return server.requests().stream()
                .filter(r -> r.method().equals(method) && p.matcher(pathOf(r.uri())).matches()).toList();
    }

    /** Forgets the recorded requests. */
    public void clearRequests() {
        server.clearRequests();
    }

    /** Whether uploaded request bodies are recorded (turn off for large blobs). */
    public void recordBodies(boolean value) {
        server.recordBodies(value);
    }

    /**
     * Applies {@code fault} to the next {@code times} requests whose method equals {@code method} and
     * whose path (without query) matches {@code pathRegex}; later ones are served normally.
     */
    public FakeRegistry inject(String method, String pathRegex, int times, Fault fault) {
        rules.add(new Rule(method, Pattern.compile(pathRegex), new AtomicInteger(times), fault));
        return this;
    }

    /** Removes every scripted fault. */
    public void clearFaults() {
        rules.clear();
    }

    /** Stores a blob in a repository; returns its digest. */
    public Digest putBlob(String repository, byte[] content) {
        Digest d = Digest.sha256(content);
        blobs.put(d, content.clone());
        links.computeIfAbsent(repository, k -> ConcurrentHashMap.newKeySet()).add(d);
        return d;
    }

    /** Stores a manifest under its digest and, if given, a tag. */
    public Digest putManifest(String repository, String tag, String mediaType, byte[] content) {
        Digest d = Digest.sha256(content);
        Map<String, Object[]> m = manifests.computeIfAbsent(repository, k -> new ConcurrentHashMap<>());
        Object[] entry = {mediaType, content.clone()};
        m.put(d.toString(), entry);
        if (tag != null) {
            m.put(tag, entry);
        }
        return d;
    }

    /** A blob's bytes, if any repository has it. */
    public Optional<byte[]> blob(Digest digest) {
        return Optional.ofNullable(blobs.get(digest)).map(byte[]::clone);
    }

    /** Whether the repository links the blob. */
    public boolean hasBlob(String repository, Digest digest) {
        return links.getOrDefault(repository, Set.of()).contains(digest);
    }

    /** A manifest's bytes by tag or digest. */
    public Optional<byte[]> manifest(String repository, String reference) {
        Object[] e = manifests.getOrDefault(repository, Map.of()).get(reference);
        return e == null ? Optional.empty() : Optional.of(((byte[]) e[1]).clone());
    }

    /** A manifest's media type by tag or digest. */
    public Optional<String> manifestMediaType(String repository, String reference) {
        Object[] e = manifests.getOrDefault(repository, Map.of()).get(reference);
        return e == null ? Optional.empty() : Optional.of((String) e[0]);
    }

    @Override
    public void close() {
        server.close();
    }

    // ---- request handling -------------------------------------------------------------------

    private static String pathOf(String target) {
        int q = target.indexOf('?');
        return q < 0 ? target : target.substring(0, q);
    }

    private void handle(TestHttpServer.Exchange ex) throws IOException {
        Fault fault = null;
        for (Rule r : rules) {
            if (r.method.equals(ex.method()) && r.path.matcher(ex.path()).matches()
                    && r.remaining.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
                fault = r.fault;
                break;
            }
        }
        if (fault instanceof Fault.Status s) {
            ex.respond(s.status(), s.headers(), s.body().getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (fault instanceof Fault.Redirect r) {
            ex.respond(r.status(), Map.of("Location", r.location()), new byte[0]);
            return;
        }
        if (fault instanceof Fault.Delay d) {
            sleep(d.delay());
        }
        if (fault instanceof Fault.Hang) {
            sleep(Duration.ofMinutes(10));
            ex.reset();
            return;
        }
        if (ex.path().equals("/token")) {
            token(ex);
            return;
        }
        boolean write = !(ex.method().equals("GET") || ex.method().equals("HEAD"));
        Matcher up = UPLOADS.matcher(ex.path());
        Matcher content = CONTENT.matcher(ex.path());
        String repo = up.matches() ? up.group(1) : content.matches() ? content.group(1) : null;
        if (!authorized(ex, repo, write)) {
            return;
        }
        if (ex.path().equals("/v2/") || ex.path().equals("/v2")) {
            json(ex, 200, "{}");
        } else if (up.matches()) {
            upload(ex, up.group(1), up.group(2));
        } else if (content.matches()) {
            if (content.group(2).equals("manifests")) {
                manifest(ex, repo, content.group(3), fault);
            } else {
                blob(ex, repo, content.group(3), fault);
            }
        } else {
            error(ex, 404, "NAME_UNKNOWN", "no route");
        }
    }

    private boolean authorized(TestHttpServer.Exchange ex, String repo, boolean write) throws IOException {
        if (basicUser == null) {
            return true;
        }
        String auth = ex.header("Authorization");
        if (!bearer) {
            String expected = "Basic " + Base64.getEncoder().encodeToString(
                    (basicUser + ":" + basicPassword).getBytes(StandardCharsets.UTF_8));
            if (expected.equals(auth)) {
                return true;
            }
            ex.respond(401, Map.of("WWW-Authenticate", "Basic realm=\"fake\"", "Content-Type", "application/json"),
                    errorBody("UNAUTHORIZED", "authentication required"));
            return false;
        }
        if (auth != null && auth.startsWith("Bearer ")) {
            String t = auth.substring(7);
            if (tokens.contains(t + (write ? "|push" : "|pull")) || tokens.contains(t + "|push")) {
                return true;
            }
        }
        String scope = repo == null ? "" : ",scope=\"repository:" + repo + ":" + (write ? "pull,push" : "pull") + "\"";
        ex.respond(401, Map.of("WWW-Authenticate", "Bearer realm=\"" + uri() + "/token\",service=\"fake\"" + scope,
                "Content-Type", "application/json"), errorBody("UNAUTHORIZED", "authentication required"));
        return false;
    }

    private void token(TestHttpServer.Exchange ex) throws IOException {
        String user = null;
        String password = null;
        String scope;
        if (ex.method().equals("POST")) {
            Map<String, String> form = new HashMap<>();
            for (String kv : new String(ex.body(), StandardCharsets.UTF_8).split("&")) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    form.put(kv.substring(0, eq), java.net.URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
            String grant = form.get("grant_type");
            if ("refresh_token".equals(grant) && refreshToken != null && refreshToken.equals(form.get("refresh_token"))) {
                user = basicUser;
                password = basicPassword;
            } else if ("password".equals(grant)) {
                user = form.get("username");
                password = form.get("password");
            } else {
                json(ex, 400, "{\"error\":\"unsupported_grant_type\"}");
                return;
            }
            scope = form.getOrDefault("scope", "");
        } else {
            String auth = ex.header("Authorization");
            if (auth != null && auth.startsWith("Basic ")) {
                String[] up = new String(Base64.getDecoder().decode(auth.substring(6)), StandardCharsets.UTF_8).split(":", 2);
                user = up[0];
                password = up.length > 1 ? up[1] : "";
            }
            StringBuilder sb = new StringBuilder();
            for (String kv : ex.target().substring(ex.target().indexOf('?') + 1).split("&")) {
                if (kv.startsWith("scope=")) {
                    sb.append(java.net.URLDecoder.decode(kv.substring(6), StandardCharsets.UTF_8)).append(' ');
                }
            }
            scope = sb.toString().trim();
        }
        boolean push;
        if (user != null) {
            if (!user.equals(basicUser) || !Objects.equals(password, basicPassword)) {
                json(ex, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"bad credentials\"}]}");
                return;
            }
            push = scope.contains("push");
        } else if (anonymousPull) {
            push = false;
        } else {
            json(ex, 401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"credentials required\"}]}");
            return;
        }
        String t = "fake-token-" + tokenCounter.incrementAndGet() + "-" + UUID.randomUUID();
        tokens.add(t + (push ? "|push" : "|pull"));
        json(ex, 200, "{\"token\":\"" + t + "\",\"access_token\":\"" + t + "\",\"expires_in\":300}");
    }

    private void manifest(TestHttpServer.Exchange ex, String repo, String reference, Fault fault) throws IOException {
        if (ex.method().equals("PUT")) {
            String type = ex.header("Content-Type");
            Digest d = putManifest(repo, reference.startsWith("sha256:") ? null : reference, type, ex.body());
            if (reference.startsWith("sha256:") && !reference.equals(d.toString())) {
                error(ex, 400, "DIGEST_INVALID", "manifest digest did not match");
                return;
            }
            ex.respond(201, Map.of("Docker-Content-Digest", d.toString(), "Location",
                    "/v2/" + repo + "/manifests/" + d), new byte[0]);
            return;
        }
        Object[] e = manifests.getOrDefault(repo, Map.of()).get(reference);
        if (e == null) {
            error(ex, 404, "MANIFEST_UNKNOWN", "manifest unknown");
            return;
        }
        byte[] bytes = (byte[]) e[1];
        serve(ex, bytes, (String) e[0], fault);
    }

    private void blob(TestHttpServer.Exchange ex, String repo, String digest, Fault fault) throws IOException {
        Digest d;
        try {
            d = Digest.parse(digest);
        } catch (IllegalArgumentException e) {
            error(ex, 400, "DIGEST_INVALID", "invalid digest");
            return;
        }
        if (!hasBlob(repo, d)) {
            error(ex, 404, "BLOB_UNKNOWN", "blob unknown to registry");
            return;
        }
        serve(ex, blobs.get(d), "application/octet-stream", fault);
    }

    private void serve(TestHttpServer.Exchange ex, byte[] bytes, String type, Fault fault) throws IOException {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Content-Type", type);
        h.put("Docker-Content-Digest", fault instanceof Fault.WrongDigestHeader w ? w.digest()
                : Digest.sha256(bytes).toString());
        h.put("Accept-Ranges", "bytes");
        String range = ex.header("Range");
        long start = 0;
        int status = 200;
        if (range != null && range.startsWith("bytes=") && !(fault instanceof Fault.IgnoreRange)) {
            String spec = range.substring(6);
            start = Long.parseLong(spec.substring(0, spec.indexOf('-')));
            if (start >= bytes.length) {
                h.put("Content-Range", "bytes */" + bytes.length);
                ex.respond(416, h, new byte[0]);
                return;
            }
            status = 206;
            long from = fault instanceof Fault.WrongRangeStart ? 0 : start;
            start = from;
            h.put("Content-Range", "bytes " + from + "-" + (bytes.length - 1) + "/" + bytes.length);
        }
        long length = bytes.length - start;
        if (fault instanceof Fault.Endless en) {
            ex.writeHead(status, h, 0, true);
            if (ex.method().equals("HEAD")) {
                return;
            }
            OutputStream out = ex.rawOut();
            byte[] chunk = new byte[16384];
            byte[] headLine = (Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            for (long sent = 0; sent < en.maxBytes(); sent += chunk.length) {
                out.write(headLine);
                out.write(chunk);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            return;
        }
        ex.writeHead(status, h, length, false);
        if (ex.method().equals("HEAD")) {
            return;
        }
        byte[] body = bytes;
        if (fault instanceof Fault.Corrupt c && c.offset() < bytes.length) {
            body = bytes.clone();
            body[(int) c.offset()] ^= 0x5A;
        }
        if (fault instanceof Fault.Truncate t) {
            long n = Math.min(t.bytes(), length);
            ex.body(body, (int) start, (int) n);
            // a graceful close, not RST: an RST may discard the bytes still in flight, and the test could
            // no longer tell how much the client received
            ex.closeConnection();
            return;
        }
        if (fault instanceof Fault.CutWhenReleased cut) {
            ex.body(body, (int) start, (int) Math.min(cut.bytes(), length));
            ex.rawOut().flush();
            try {
                cut.release().await(1, java.util.concurrent.TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.closeConnection();
            return;
        }
        if (fault instanceof Fault.Slow s) {
            long perTick = Math.max(1, s.bytesPerSecond() / 10);
            for (long off = start; off < bytes.length; off += perTick) {
                ex.body(body, (int) off, (int) Math.min(perTick, bytes.length - off));
                ex.rawOut().flush();
                sleep(Duration.ofMillis(100));
            }
            return;
        }
        if (fault instanceof Fault.Stall st) {
            ex.body(body, (int) start, (int) Math.min(st.bytes(), length));
            ex.rawOut().flush();
            sleep(Duration.ofMinutes(10));
            ex.reset();
            return;
        }
        ex.body(body, (int) start, (int) length);
    }

    private void upload(TestHttpServer.Exchange ex, String repo, String id) throws IOException {
        if (ex.method().equals("POST") && id.isEmpty()) {
            String mount = ex.query("mount");
            String from = ex.query("from");
            if (mount != null && from != null && Digest.isValid(mount) && hasBlob(from, Digest.parse(mount))) {
                links.computeIfAbsent(repo, k -> ConcurrentHashMap.newKeySet()).add(Digest.parse(mount));
                ex.respond(201, Map.of("Docker-Content-Digest", mount, "Location", "/v2/" + repo + "/blobs/" + mount),
                        new byte[0]);
                return;
            }
            String uuid = UUID.randomUUID().toString();
            uploads.put(uuid, new java.io.ByteArrayOutputStream());
            Map<String, String> h = new LinkedHashMap<>();
            h.put("Location", uri() + "/v2/" + repo + "/blobs/uploads/" + uuid + "?_state=opaque-" + uuid);
            h.put("Range", "0-0");
            h.put("Docker-Upload-UUID", uuid);
            if (chunkMinLength > 0) {
                h.put("OCI-Chunk-Min-Length", Long.toString(chunkMinLength));
            }
            ex.respond(202, h, new byte[0]);
            return;
        }
        java.io.ByteArrayOutputStream buf = uploads.get(id);
        if (buf == null) {
            error(ex, 404, "BLOB_UPLOAD_UNKNOWN", "blob upload unknown to registry");
            return;
        }
        String location = "/v2/" + repo + "/blobs/uploads/" + id + "?_state=opaque-" + id + "-" + buf.size();
        switch (ex.method()) {
            case "GET" -> ex.respond(204, Map.of("Location", location, "Range", "0-" + Math.max(0, buf.size() - 1),
                    "Docker-Upload-UUID", id), new byte[0]);
            case "PATCH" -> {
                String cr = ex.header("Content-Range");
                synchronized (buf) {
                    if (cr != null) {
                        long start = Long.parseLong(cr.substring(0, cr.indexOf('-')).trim());
                        if (start != buf.size()) {
                            ex.respond(416, Map.of("Location", location, "Range", "0-" + Math.max(0, buf.size() - 1)), new byte[0]);
                            return;
                        }
                    }
                    buf.write(ex.body());
                }
                ex.respond(202, Map.of("Location", "/v2/" + repo + "/blobs/uploads/" + id + "?_state=s" + buf.size(),
                        "Range", "0-" + Math.max(0, buf.size() - 1), "Docker-Upload-UUID", id), new byte[0]);
            }
            case "PUT" -> {
                buf.write(ex.body());
                byte[] all = buf.toByteArray();
                String want = ex.query("digest");
                Digest actual = Digest.sha256(all);
                if (want == null || !want.equals(actual.toString())) {
                    error(ex, 400, "DIGEST_INVALID", "provided digest did not match uploaded content");
                    return;
                }
                uploads.remove(id);
                putBlob(repo, all);
                ex.respond(201, Map.of("Docker-Content-Digest", actual.toString(), "Location",
                        "/v2/" + repo + "/blobs/" + actual), new byte[0]);
            }
            default -> error(ex, 405, "UNSUPPORTED", "method not allowed");
        }
    }

    private static byte[] errorBody(String code, String message) {
        return ("{\"errors\":[{\"code\":\"" + code + "\",\"message\":\"" + message + "\",\"detail\":null}]}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static void error(TestHttpServer.Exchange ex, int status, String code, String message) throws IOException {
        ex.respond(status, Map.of("Content-Type", "application/json"), errorBody(code, message));
    }

    private static void json(TestHttpServer.Exchange ex, int status, String body) throws IOException {
        ex.respond(status, Map.of("Content-Type", "application/json"), body.getBytes(StandardCharsets.UTF_8));
    }

    private static void sleep(Duration d) throws IOException {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("server stopping");
        }
    }
}
