package dev.berth.registry;

import dev.berth.exception.DigestMismatchException;
import dev.berth.exception.NotFoundException;
import dev.berth.internal.json.OciJson;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.Digester;
import dev.berth.oci.ImageIndex;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.Platform;
import dev.berth.oci.Reference;
import dev.berth.registry.internal.ChunkCursor;
import dev.berth.registry.internal.Errors;
import dev.berth.registry.internal.Request;
import dev.berth.registry.internal.Response;
import dev.berth.internal.http.StreamBody;
import dev.berth.registry.internal.Transport;
import dev.berth.registry.internal.Urls;
import dev.berth.remote.BlobSource;
import dev.berth.remote.Fetcher;
import dev.berth.remote.PushResult;
import dev.berth.remote.Pusher;
import dev.berth.remote.RegistryException.Reason;
import dev.berth.remote.RegistryException;
import dev.berth.remote.RegistryResolver;
import dev.berth.remote.VerifyingInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link RegistryResolver} for OCI distribution registries (Docker Hub, Harbor, GHCR, the
 * {@code distribution} registry) over {@code java.net.http}.
 *
 * <ul>
 * <li>Resolve: HEAD then GET on the manifest with Docker's Accept list; an index selects the
 *     configured platform (the host's by default).</li>
 * <li>Fetch: streams verified as they flow, resumed with {@code Range} after a dropped connection,
 *     manifests capped at 4 MiB.</li>
 * <li>Push: existing blobs skipped, cross-repository mounts, monolithic uploads with a real
 *     {@code Content-Length}, chunked uploads above a threshold, manifests with their exact type.</li>
 * <li>Auth: anonymous, Basic, Bearer with dockerd's {@code repository(plugin)} scope, credentials from a
 *     {@link CredentialProvider} (e.g. {@link DockerConfigCredentials}).</li>
 * <li>Hosts: loopback registries and those configured insecure are tried over https without
 *     certificate checks (as Docker does), then over plain http; Docker Hub through ordered mirrors
 *     first; a per-registry concurrency limit.</li>
 * </ul>
 *
 * <p>Immutable and thread-safe; build one and share it. It holds no connection and starts no thread:
 * every request opens its own connection on the caller's thread and closes it with the response.
 *
 * <p><b>HTTP.</b> All traffic, over http and https, goes through Berth's own HTTP/1.1 client (strict
 * response parsing, a reused 1 MiB read buffer per connection, TLS by the JDK's {@code SSLEngine}, HTTP
 * proxies from the JVM's proxy properties). It replaced {@code java.net.http}, whose per-record buffer
 * allocation made https fetches two to five times as costly and whose selector thread delayed JVM exit.
 *
 * <p>Long for a public class because it is the SPI's one HTTP implementation: resolve, fetch and push
 * are thin walks over the registry protocol and share the transport, the authorizer and the mirrors;
 * the protocol details live in {@code dev.berth.registry.internal}.
 */
public final class HttpRegistryResolver implements RegistryResolver {
    /** The Accept list dockerd sends to resolve, most wanted first. */
    public static final List<String> MANIFEST_ACCEPT = List.of(MediaTypes.DOCKER_MANIFEST_V2,
            MediaTypes.DOCKER_MANIFEST_LIST_V2, MediaTypes.OCI_MANIFEST, MediaTypes.OCI_INDEX);
    /** The User-Agent sent unless configured otherwise. */
    public static final String DEFAULT_USER_AGENT = "berth/0.1.0 (+https://berth.dev) java/"
            + Runtime.version().feature();
    private static final String DOCKER_HUB_ENDPOINT = "https://registry-1.docker.io";
    private static final Logger LOG = LoggerFactory.getLogger(HttpRegistryResolver.class);
    private static final int MAX_RESUMES = 5;
    private static final int MAX_NO_PROGRESS_RESUMES = 3;
    /** New upload sessions after one was lost to an unanswered request (see pushAt). */
    private static final int MAX_UPLOAD_RESTARTS = 1;
    /** How deep indexes may nest before Berth gives up (attack catalog P8). */
    static final int MAX_INDEX_DEPTH = 4;

    private final Transport transport;
    private final Set<String> insecure;
    private final boolean loopbackInsecure;
    private final List<URI> mirrors;
    private final Platform platform;
    private final long chunkedUploadThreshold;
    private final int chunkSize;
    /** The endpoint that last worked per registry host, so https-then-http is probed once. */
    private final ConcurrentMap<String, URI> working = new ConcurrentHashMap<>();

    private HttpRegistryResolver(Builder b) {
        this.loopbackInsecure = b.loopbackInsecure;
        SSLContext tls = b.sslContext;
        // the JDK's default context loads the trust store: only an https request pays for it
        this.transport = new Transport(new Transport.Settings(
                tls != null ? () -> tls : Transport.lazy(Transport::defaultTls),
                b.connectTimeout, b.credentials, b.retry, b.headerTimeout, b.idleTimeout, b.userAgent,
                b.maxConcurrentRequests, b.clock));
        this.insecure = Set.copyOf(b.insecure);
        this.mirrors = List.copyOf(b.mirrors);
        this.platform = b.platform;
        this.chunkedUploadThreshold = b.chunkedUploadThreshold;
        this.chunkSize = b.chunkSize;
    }

    /** A builder with Docker's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Descriptor resolve(Reference reference) {
        return resolve(reference, platform);
    }

    /** Resolves as {@link #resolve(Reference)}, selecting {@code platform} from indexes instead of the configured one. */
    @Override
    public Descriptor resolve(Reference reference, Platform platform) {
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(platform, "platform");
        Repo repo = new Repo(reference, false);
        return repo.onEndpoints(false, ep -> repo.resolveAt(ep, platform));
    }

    @Override
    public Fetcher fetcher(Reference reference) {
        Objects.requireNonNull(reference, "reference");
        Repo repo = new Repo(reference, false);
        return new Fetcher() {
            @Override
            public InputStream fetch(Descriptor descriptor) {
                Objects.requireNonNull(descriptor, "descriptor");
                return repo.fetch(descriptor, Digester.of(descriptor.digest().algorithm()));
            }

            @Override
            public InputStream fetch(Descriptor descriptor, Digester resume) {
                Objects.requireNonNull(descriptor, "descriptor");
                Objects.requireNonNull(resume, "resume");
                return repo.fetch(descriptor, resume);
            }
        };
    }

    @Override
    public Pusher pusher(Reference reference) {
        Objects.requireNonNull(reference, "reference");
        Repo repo = new Repo(reference, true);
        return (descriptor, source) -> {
            Objects.requireNonNull(descriptor, "descriptor");
            Objects.requireNonNull(source, "source");
            return repo.onEndpoints(true, ep -> repo.pushAt(ep, descriptor, source));
        };
    }

    /** Whether plain http may be used for a registry host. */
    boolean isInsecure(String host) {
        String bare = host.lastIndexOf(':') > host.lastIndexOf(']') ? host.substring(0, host.lastIndexOf(':')) : host;
        return insecure.contains(host.toLowerCase(Locale.ROOT)) || (loopbackInsecure && Urls.isLoopback(bare));
    }

    private record Endpoint(URI base, boolean mirror, boolean insecure) {
    }

    private List<Endpoint> endpoints(String domain, boolean push) {
        List<Endpoint> out = new ArrayList<>();
        if (domain.equals(Reference.DOCKER_HUB)) {
            if (!push) {
                for (URI m : mirrors) {
                    out.add(new Endpoint(m, true, m.getScheme().equals("http")));
                }
            }
            out.add(new Endpoint(URI.create(DOCKER_HUB_ENDPOINT), false, false));
            return out;
        }
        boolean plain = isInsecure(domain);
        URI https = URI.create("https://" + domain);
        URI http = URI.create("http://" + domain);
        URI preferred = working.get(domain);
        if (plain && http.equals(preferred)) {
            out.add(new Endpoint(http, false, true));
            out.add(new Endpoint(https, false, true));
        } else {
            out.add(new Endpoint(https, false, plain));
            if (plain) {
                out.add(new Endpoint(http, false, true));
            }
        }
        return out;
    }

    /** Operations on one repository. */
    private final class Repo {
        private final Reference ref;
        private final List<String> scopes;

        Repo(Reference ref, boolean push) {
            this.ref = ref;
            this.scopes = pluginScopes(ref.path(), push);
        }

        <T> T onEndpoints(boolean push, Function<Endpoint, T> op) {
            List<Endpoint> eps = endpoints(ref.domain(), push);
            RuntimeException last = null;
            for (int i = 0; i < eps.size(); i++) {
                Endpoint ep = eps.get(i);
                try {
                    T result = op.apply(ep);
                    if (!ep.mirror()) {
                        working.put(ref.domain(), ep.base());
                    }
                    return result;
                } catch (RegistryException | NotFoundException e) {
                    boolean more = i + 1 < eps.size();
                    boolean tlsFailure = hasCause(e, SSLException.class) || hasCause(e, java.net.ConnectException.class);
                    if (!more || !(ep.mirror() || (ep.insecure() && tlsFailure))) {
                        throw e;
                    }
                    LOG.debug("{} at {} failed ({}), trying the next endpoint", ref, Urls.redact(ep.base()),
                            e.getMessage());
                    last = e;
                }
            }
            throw last;
        }

        private URI url(Endpoint ep, String suffix) {
            return URI.create(ep.base().toString() + "/v2/" + ref.path() + suffix);
        }

        private Request request(String method, URI uri, Endpoint ep) {
            return Request.registry(method, uri, ref.domain(), scopes, ep.insecure());
        }

        Descriptor resolveAt(Endpoint ep, Platform platform) {
            String tagOrDigest = ref.digest().map(Digest::toString).orElse(ref.tag().orElse(Reference.DEFAULT_TAG));
            URI uri = url(ep, "/manifests/" + tagOrDigest);
            String accept = String.join(", ", MANIFEST_ACCEPT) + ", */*";
            Descriptor root = null;
            try (Response head = transport.send(request("HEAD", uri, ep).header("Accept", accept))) {
                if (head.status() == 200) {
                    String type = OciJson.bareType(head.header("Content-Type").orElse(""));
                    checkSupported(type);
                    Optional<String> digest = head.header("Docker-Content-Digest").filter(Digest::isValid);
                    if ((MediaTypes.isManifest(type) || MediaTypes.isIndex(type)) && digest.isPresent()
                            && head.contentLength().isPresent()) {
                        Digest d = ref.digest().orElse(Digest.parse(digest.get()));
                        root = Descriptor.of(type, d, head.contentLength().getAsLong());
                    }
                } else if (head.status() == 404) {
                    throw new NotFoundException(ref + ": not found");
                } else if (head.status() == 401 || head.status() == 403) {
                    throw Errors.of(head, ref.toString());
                }
            }
            byte[] body = null;
            if (root == null) {
                // HEAD without the headers we need (or 405): GET, and trust only the body's digest
                Response first = transport.send(request("GET", uri, ep).header("Accept", accept));
                if (first.status() == 400 || first.status() == 406) {
                    // dockerd's retry for registries that do not split a comma-joined Accept and fall back
                    // to schema 1: the four types as four header lines
                    first.close();
                    Request separate = request("GET", uri, ep);
                    for (String type : MANIFEST_ACCEPT) {
                        separate = separate.header("Accept", type);
                    }
                    first = transport.send(separate);
                }
                try (Response get = first) {
                    if (get.status() != 200) {
                        throw Errors.of(get, ref.toString());
                    }
                    body = readManifest(get);
                    String type = OciJson.bareType(get.header("Content-Type").orElse(""));
                    checkSupported(type);
                    Digest actual = Digest.of(ref.digest().map(Digest::algorithm).orElse(Digest.SHA256), body);
                    if (ref.digest().isPresent() && !actual.equals(ref.digest().get())) {
                        throw new DigestMismatchException(ref.toString(), ref.digest().get(), actual);
                    }
                    OciJson.Kind kind = OciJson.kind(body, type);
                    String mediaType = mediaTypeOf(body, type, kind);
                    root = Descriptor.of(mediaType, actual, body.length);
                } catch (IOException e) {
                    throw new RegistryException(Reason.UNAVAILABLE, ref + ": reading the manifest failed", e);
                }
            }
            if (!MediaTypes.isIndex(root.mediaType())) {
                if (body != null) {
                    OciJson.decodeManifest(body, root.mediaType()); // refuse what can't be used, now
                }
                return root;
            }
            byte[] indexBytes = body != null ? body : fetchManifestBytes(ep, root);
            Descriptor selected = root;
            for (int depth = 0; MediaTypes.isIndex(selected.mediaType()); depth++) {
                if (depth >= MAX_INDEX_DEPTH) {
                    throw new RegistryException(Reason.LIMIT, ref + ": indexes nested deeper than " + MAX_INDEX_DEPTH);
                }
                byte[] bytes = depth == 0 ? indexBytes : fetchManifestBytes(ep, selected);
                ImageIndex index = OciJson.decodeIndex(bytes, selected.mediaType());
                selected = index.require(platform, ref.toString());
            }
            return selected;
        }

        private void checkSupported(String type) {
            if (type.equals(MediaTypes.DOCKER_MANIFEST_V1_SIGNED) || type.equals("application/vnd.docker.distribution.manifest.v1+json")) {
                throw new RegistryException(Reason.MANIFEST, ref + ": " + type + " not supported");
            }
        }

        private String mediaTypeOf(byte[] body, String declared, OciJson.Kind kind) {
            if (kind == OciJson.Kind.INDEX) {
                return OciJson.decodeIndex(body, declared).mediaType().orElse(
                        MediaTypes.isIndex(declared) ? declared : MediaTypes.OCI_INDEX);
            }
            return OciJson.decodeManifest(body, declared).mediaType().orElse(
                    MediaTypes.isManifest(declared) ? declared : MediaTypes.OCI_MANIFEST);
        }

        private byte[] readManifest(Response r) throws IOException {
            byte[] bytes = r.readBounded(OciJson.MAX_MANIFEST_BYTES);
            if (bytes == null) {
                throw new RegistryException(Reason.LIMIT, ref + ": manifest larger than "
                        + OciJson.MAX_MANIFEST_BYTES + " bytes");
            }
            return bytes;
        }

        /** A manifest by digest, verified; a body cut short is fetched again (no partial parse). */
        byte[] fetchManifestBytes(Endpoint ep, Descriptor d) {
            if (d.size() > OciJson.MAX_MANIFEST_BYTES) {
                throw new RegistryException(Reason.LIMIT, d.digest() + ": manifest of " + d.size()
                        + " bytes exceeds the limit of " + OciJson.MAX_MANIFEST_BYTES);
            }
            URI uri = url(ep, "/manifests/" + d.digest());
            IOException last = null;
            for (int attempt = 0; attempt < 3; attempt++) {
                try (Response r = transport.send(request("GET", uri, ep).header("Accept", d.mediaType() + ", */*"))) {
                    if (r.status() != 200) {
                        throw Errors.of(r, ref.name() + "@" + d.digest());
                    }
                    byte[] bytes = readManifest(r);
                    try (InputStream in = VerifyingInputStream.of(new ByteArrayInputStream(bytes), d)) {
                        in.transferTo(java.io.OutputStream.nullOutputStream());
                    }
                    return bytes;
                } catch (IOException e) {
                    last = e;
                }
            }
            throw new RegistryException(Reason.UNAVAILABLE, ref.name() + "@" + d.digest()
                    + ": reading the manifest failed", last);
        }

        InputStream fetch(Descriptor d, Digester resume) {
            if (MediaTypes.isManifest(d.mediaType()) || MediaTypes.isIndex(d.mediaType())) {
                if (resume.count() != 0) {
                    throw new IllegalArgumentException("manifests cannot be resumed");
                }
                byte[] bytes = onEndpoints(false, ep -> fetchManifestBytes(ep, d));
                return new ByteArrayInputStream(bytes);
            }
            if (resume.count() > d.size()) {
                throw new IllegalArgumentException("resume offset " + resume.count() + " is beyond the size "
                        + d.size() + " of " + d.digest());
            }
            BlobStream blob = onEndpoints(false, ep -> {
                BlobStream s = new BlobStream(ep, d, resume.count());
                s.open();
                return s;
            });
            return VerifyingInputStream.resuming(blob, d, resume);
        }

        /** A blob body that reconnects with {@code Range} when the connection drops. */
        final class BlobStream extends InputStream {
            private final Endpoint ep;
            private final Descriptor d;
            private final URI uri;
            private long position;
            private Response current;
            private int resumes;
            private int noProgress;
            private boolean progressed;

            BlobStream(Endpoint ep, Descriptor d, long offset) {
                this.ep = ep;
                this.d = d;
                this.uri = url(ep, "/blobs/" + d.digest());
                this.position = offset;
            }

            void open() {
                Request r = request("GET", uri, ep);
                if (position > 0) {
                    r = r.header("Range", "bytes=" + position + "-");
                }
                Response resp = transport.send(r);
                int status = resp.status();
                if (status == 200) {
                    if (resp.contentLength().isPresent() && resp.contentLength().getAsLong() != d.size()) {
                        long got = resp.contentLength().getAsLong();
                        resp.close();
                        throw new RegistryException(Reason.SIZE, d.digest() + ": Content-Length " + got
                                + " differs from the descriptor's size " + d.size());
                    }
                    if (position > 0) {
                        // the registry ignored Range: drop what we have already
                        try {
                            resp.body().skipNBytes(position);
                        } catch (IOException e) {
                            resp.close();
                            throw new UncheckedIOException(e);
                        }
                    }
                } else if (status == 206) {
                    String range = resp.header("Content-Range").orElse("");
                    long start = rangeStart(range);
                    if (start != position) {
                        resp.close();
                        throw new RegistryException(Reason.PROTOCOL, d.digest() + ": unhandled content range \""
                                + range + "\" for a request from byte " + position);
                    }
                } else if (status == 416 && position == d.size()) {
                    resp.close();
                    current = null;
                    return;
                } else {
                    throw Errors.of(resp, ref.name() + "@" + d.digest());
                }
                current = resp;
                progressed = false;
            }

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                while (true) {
                    if (current == null) {
                        return -1;
                    }
                    IOException failure;
                    try {
                        int n = current.body().read(b, off, len);
                        if (n > 0) {
                            position += n;
                            progressed = true;
                            return n;
                        }
                        if (n < 0 && position >= d.size()) {
                            current.close();
                            current = null;
                            return -1;
                        }
                        if (n == 0) {
                            return 0;
                        }
                        failure = new IOException("body ended at byte " + position + " of " + d.size());
                    } catch (IOException e) {
                        failure = e;
                    }
                    current.close();
                    current = null;
                    noProgress = progressed ? 0 : noProgress + 1;
                    resumes++;
                    if (Thread.currentThread().isInterrupted()) {
                        throw failure;
                    }
                    if (resumes > MAX_RESUMES || noProgress >= MAX_NO_PROGRESS_RESUMES) {
                        // the remote stayed unavailable, as the Fetcher contract says: not a local I/O
                        // failure, which is what an IOException from this stream reads as to the caller
                        throw new RegistryException(Reason.UNAVAILABLE, ref.name() + "@" + d.digest()
                                + ": connection lost at byte " + position + " of " + d.size() + " after "
                                + (resumes - 1) + " resume(s), last: " + failure.getClass().getSimpleName()
                                + (failure.getMessage() == null ? "" : ": " + failure.getMessage()), failure);
                    }
                    LOG.debug("{}: connection lost at byte {} ({}), resuming", d.digest(), position,
                            failure.getClass().getSimpleName());
                    try {
                        open();
                    } catch (UncheckedIOException e) {
                        throw e.getCause();
                    }
                }
            }

            @Override
            public void close() {
                if (current != null) {
                    current.close();
                    current = null;
                }
            }
        }

        PushResult pushAt(Endpoint ep, Descriptor d, BlobSource source) {
            if (MediaTypes.isManifest(d.mediaType()) || MediaTypes.isIndex(d.mediaType())) {
                return pushManifest(ep, d, source);
            }
            try (Response head = transport.send(request("HEAD", url(ep, "/blobs/" + d.digest()), ep))) {
                if (head.status() == 200) {
                    return new PushResult(d, PushResult.Outcome.ALREADY_EXISTS);
                }
                if (head.status() != 404) {
                    throw Errors.of(head, ref.name() + "@" + d.digest());
                }
            }
            for (int restart = 0; ; restart++) {
                boolean[] started = new boolean[1];
                try {
                    return upload(ep, d, source, started);
                } catch (NotFoundException e) {
                    // A request whose answer was lost (a reset, a restart) and that the transport sent again
                    // finds its upload session closed: completed by the first send (a PUT), or cancelled by
                    // distribution for a stale offset (a PATCH), both 404. The blob may be there already;
                    // if not, one new session uploads it again.
                    if (!started[0]) {
                        throw e;
                    }
                    if (blobExists(ep, d)) {
                        return new PushResult(d, PushResult.Outcome.UPLOADED);
                    }
                    if (restart >= MAX_UPLOAD_RESTARTS) {
                        throw e;
                    }
                    LOG.debug("{}: upload session lost ({}), starting a new one", d.digest(), e.getMessage());
                }
            }
        }

        private boolean blobExists(Endpoint ep, Descriptor d) {
            try (Response head = transport.send(request("HEAD", url(ep, "/blobs/" + d.digest()), ep))) {
                return head.status() == 200 && head.header("Docker-Content-Digest")
                        .map(v -> v.equals(d.digest().toString())).orElse(true);
            }
        }

        /** Starts an upload (or mounts) and sends the blob; {@code started} is set once a session exists. */
        private PushResult upload(Endpoint ep, Descriptor d, BlobSource source, boolean[] started) {
            Optional<Reference> from = source.mountFrom()
                    .filter(f -> f.domain().equals(ref.domain()) && !f.path().equals(ref.path()));
            Upload upload;
            if (from.isPresent()) {
                List<String> mountScopes = new ArrayList<>(scopes);
                mountScopes.add("repository:" + from.get().path() + ":pull");
                Request mount = new Request("POST", URI.create(url(ep, "/blobs/uploads/") + "?mount=" + d.digest()
                        + "&from=" + URLEncoder.encode(from.get().path(), StandardCharsets.UTF_8)), List.of(),
                        Optional.of(StreamBody::empty), Optional.of(ref.domain()), mountScopes,
                        Optional.empty(), ep.insecure());
                try (Response r = transport.send(mount)) {
                    if (r.status() == 201) {
                        return new PushResult(d, PushResult.Outcome.MOUNTED);
                    }
                    upload = upload(r);
                }
            } else {
                upload = startUpload(ep);
            }
            started[0] = true;
            if (d.size() > chunkedUploadThreshold) {
                Optional<PushResult> done = chunked(ep, d, source, upload);
                if (done.isPresent()) {
                    return done.get();
                }
                // the registry refused chunks: a session of its own for one monolithic PUT, so nothing
                // of the refused one can leak into it
                upload = startUpload(ep);
            }
            return monolithic(ep, d, source, upload.location());
        }

        /** An upload session: where to send, and the smallest chunk the registry takes (0: any). */
        private record Upload(URI location, long chunkMin) {
        }

        private Upload startUpload(Endpoint ep) {
            try (Response r = transport.send(request("POST", url(ep, "/blobs/uploads/"), ep)
                    .body(StreamBody::empty))) {
                return upload(r);
            }
        }

        private Upload upload(Response r) {
            if (r.status() != 202) {
                throw Errors.of(r, ref.name() + ": starting an upload");
            }
            return new Upload(location(r), Math.max(0, r.header("OCI-Chunk-Min-Length")
                    .map(HttpRegistryResolver::parseLong).orElse(0L)));
        }

        /** One PUT with the whole blob, streamed and hashed once (the source is the only copy). */
        private PushResult monolithic(Endpoint ep, Descriptor d, BlobSource source, URI location) {
            // a fresh hash per attempt: a retried PUT reads the source again from its start
            Digester[] digester = new Digester[1];
            StreamBody[] body = new StreamBody[1];
            Request put = request("PUT", withDigest(location, d.digest()), ep)
                    .header("Content-Type", "application/octet-stream")
                    .body(() -> {
                        Digester hash = Digester.of(d.digest().algorithm());
                        digester[0] = hash;
                        body[0] = StreamBody.of(() -> hash.wrap(source.open()), d.size());
                        return body[0];
                    });
            try (Response r = sendBody(put, body, d)) {
                if (r.status() != 201) {
                    if (digester[0] != null && digester[0].count() == d.size()) {
                        checkSourceDigest(d, digester[0]); // the registry's refusal may be the source's fault
                    }
                    throw Errors.of(r, ref.name() + "@" + d.digest() + ": upload");
                }
                checkSourceDigest(d, digester[0]);
                checkConfirmedDigest(d, r);
            }
            return new PushResult(d, PushResult.Outcome.UPLOADED);
        }

        /**
         * PATCHes of at least the configured chunk size (raised to the registry's
         * {@code OCI-Chunk-Min-Length}), then a PUT that completes the upload. Empty when the registry
         * refuses the first chunk (see {@link #refusesChunks}); the session is then abandoned.
         */
        private Optional<PushResult> chunked(Endpoint ep, Descriptor d, BlobSource source, Upload upload) {
            // chunks are streamed from the source, never held, so the registry's minimum needs no cap
            long chunk = Math.max(chunkSize, upload.chunkMin());
            URI location = upload.location();
            long offset = 0;
            int recoveries = 0;
            Digester digester;
            try (ChunkCursor cursor = new ChunkCursor(source, d.digest().algorithm())) {
                while (offset < d.size()) {
                    long from = offset;
                    long n = Math.min(chunk, d.size() - offset);
                    StreamBody[] body = new StreamBody[1];
                    Request patch = request("PATCH", location, ep)
                            .header("Content-Type", "application/octet-stream")
                            .header("Content-Range", from + "-" + (from + n - 1))
                            .body(() -> body[0] = StreamBody.of(() -> cursor.slice(from, n), n));
                    try (Response r = sendBody(patch, body, d)) {
                        int status = r.status();
                        if (status == 202) {
                            location = location(r);
                            offset += n;
                            continue;
                        }
                        if (status == 416) {
                            UploadStatus st = uploadStatus(ep, location);
                            location = st.location();
                            if (st.length() != offset && st.length() <= d.size() && recoveries++ < 3) {
                                // the registry holds another length: continue from there
                                offset = st.length();
                                continue;
                            }
                        }
                        if (offset == 0 && refusesChunks(status)) {
                            LOG.debug("{}@{}: the registry refused a chunk ({}); uploading in one piece", ref.name(),
                                    d.digest(), status);
                            abandon(ep, location);
                            return Optional.empty();
                        }
                        throw Errors.of(r, ref.name() + "@" + d.digest() + ": chunk at " + offset);
                    }
                }
                if (cursor.position() < d.size()) {
                    // the registry said it held the rest (a 416 recovery): hash what it has from us
                    try (InputStream rest = cursor.slice(cursor.position(), d.size() - cursor.position())) {
                        rest.transferTo(java.io.OutputStream.nullOutputStream());
                    }
                }
                if (cursor.position() != d.size() || !cursor.atEnd()) {
                    throw new RegistryException(Reason.SIZE, d.digest() + ": source is longer than " + d.size());
                }
                digester = cursor.digester();
            } catch (IOException e) {
                throw new UncheckedIOException("reading the source of " + d.digest(), e);
            }
            checkSourceDigest(d, digester);
            Request put = request("PUT", withDigest(location, d.digest()), ep)
                    .header("Content-Type", "application/octet-stream").body(StreamBody::empty);
            try (Response r = transport.send(put)) {
                if (r.status() != 201) {
                    throw Errors.of(r, ref.name() + "@" + d.digest() + ": completing the upload");
                }
                checkConfirmedDigest(d, r);
            }
            return Optional.of(new PushResult(d, PushResult.Outcome.UPLOADED));
        }

        /**
         * Whether a status answering the first chunk means the registry does not take chunks (as opposed
         * to an error that a monolithic upload would meet as well): 400 (a Content-Range or chunk size it
         * will not take), 405 and 501 (no PATCH), 416 when the registry holds nothing yet (the range we
         * sent was the right one, it refused ranges as such).
         */
        static boolean refusesChunks(int status) {
            return status == 400 || status == 405 || status == 416 || status == 501;
        }

        /** Sends a request whose body reads a source; a failed read is reported as itself. */
        private Response sendBody(Request request, StreamBody[] body, Descriptor d) {
            try {
                return transport.send(request);
            } catch (RegistryException e) {
                Throwable failure = body[0] == null ? null : body[0].failure();
                if (failure instanceof RuntimeException re) {
                    re.addSuppressed(e);
                    throw re;
                }
                if (failure instanceof IOException io) {
                    throw new UncheckedIOException("reading the source of " + d.digest() + ": " + io.getMessage(), io);
                }
                throw e;
            }
        }

        /** Ends an upload session nobody will complete; the registry would expire it anyway. */
        private void abandon(Endpoint ep, URI location) {
            try (Response r = transport.send(request("DELETE", location, ep))) {
                LOG.debug("{}: abandoned upload answered {}", ref.name(), r.status());
            } catch (RuntimeException e) {
                LOG.debug("{}: abandoning an upload failed", ref.name(), e);
            }
        }

        private record UploadStatus(URI location, long length) {
        }

        private UploadStatus uploadStatus(Endpoint ep, URI location) {
            try (Response r = transport.send(request("GET", location, ep))) {
                if (r.status() != 204 && r.status() != 202) {
                    throw Errors.of(r, ref.name() + ": upload status");
                }
                URI next = r.header("Location").isPresent() ? location(r) : location;
                // "0-<last byte>"; distribution writes "0-0" for an empty upload, so 0 means nothing
                String range = r.header("Range").orElse("0-0");
                int dash = range.indexOf('-');
                long last = dash < 0 ? -1 : parseLong(range.substring(dash + 1));
                return new UploadStatus(next, last <= 0 ? 0 : last + 1);
            }
        }

        private PushResult pushManifest(Endpoint ep, Descriptor d, BlobSource source) {
            if (d.size() > OciJson.MAX_MANIFEST_BYTES) {
                throw new RegistryException(Reason.LIMIT, d.digest() + ": manifest of " + d.size()
                        + " bytes exceeds the limit of " + OciJson.MAX_MANIFEST_BYTES);
            }
            byte[] bytes;
            try (InputStream in = VerifyingInputStream.of(source.open(), d)) {
                bytes = in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException("reading the manifest " + d.digest(), e);
            }
            String target = ref.tag().orElse(d.digest().toString());
            Request put = request("PUT", url(ep, "/manifests/" + target), ep)
                    .header("Content-Type", d.mediaType())
                    .body(() -> StreamBody.of(bytes));
            try (Response r = transport.send(put)) {
                if (r.status() != 201) {
                    throw Errors.of(r, ref + ": pushing the manifest");
                }
                checkConfirmedDigest(d, r);
            }
            return new PushResult(d, PushResult.Outcome.UPLOADED);
        }

        private void checkSourceDigest(Descriptor d, Digester digester) {
            Digest actual = digester.digest();
            if (digester.count() != d.size() || !actual.equals(d.digest())) {
                throw new DigestMismatchException("source of " + d.digest(), d.digest(), actual);
            }
        }

        private void checkConfirmedDigest(Descriptor d, Response r) {
            Optional<String> confirmed = r.header("Docker-Content-Digest");
            if (confirmed.isPresent() && Digest.isValid(confirmed.get())
                    && !Digest.parse(confirmed.get()).equals(d.digest())) {
                throw new DigestMismatchException(ref.name() + ": the registry stored " + d.digest(), d.digest(),
                        Digest.parse(confirmed.get()));
            }
        }

        private URI location(Response r) {
            String loc = r.header("Location").orElseThrow(() -> new RegistryException(Reason.PROTOCOL,
                    ref.name() + ": upload answer without a Location"));
            URI next = r.uri().resolve(loc);
            if (!Urls.origin(next).equals(Urls.origin(r.uri())) && Urls.isForbiddenLiteral(next.getHost())) {
                throw new RegistryException(Reason.REDIRECT, ref.name() + ": upload Location on a private address");
            }
            return next;
        }
    }

    private static URI withDigest(URI location, Digest digest) {
        String s = location.toString();
        return URI.create(s + (location.getRawQuery() == null ? "?" : "&") + "digest="
                + URLEncoder.encode(digest.toString(), StandardCharsets.UTF_8));
    }

    private static long rangeStart(String contentRange) {
        // "bytes 100-199/200"
        String s = contentRange.trim();
        if (!s.startsWith("bytes ")) {
            return -1;
        }
        int dash = s.indexOf('-');
        return dash < 0 ? -1 : parseLong(s.substring(6, dash).trim());
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /** The scopes dockerd asks for a plugin repository: the plugin class and the plain one. */
    static List<String> pluginScopes(String path, boolean push) {
        String actions = push ? "pull,push" : "pull";
        Set<String> s = new LinkedHashSet<>();
        s.add("repository(plugin):" + path + ":" + actions);
        s.add("repository:" + path + ":" + actions);
        return List.copyOf(s);
    }

    /** Builds an {@link HttpRegistryResolver}. Not thread-safe. */
    public static final class Builder {
        private CredentialProvider credentials = CredentialProvider.anonymous();
        private RetryPolicy retry = RetryPolicy.DEFAULT;
        private Duration connectTimeout = Duration.ofSeconds(30);
        private Duration headerTimeout = Duration.ofSeconds(60);
        private Duration idleTimeout = Duration.ofSeconds(60);
        private String userAgent = DEFAULT_USER_AGENT;
        private int maxConcurrentRequests = 8;
        private Clock clock = Clock.systemUTC();
        private final Set<String> insecure = new HashSet<>();
        private final List<URI> mirrors = new ArrayList<>();
        private SSLContext sslContext;
        private boolean loopbackInsecure = true;
        private Platform platform = Platform.host();
        private long chunkedUploadThreshold = Long.MAX_VALUE;
        private int chunkSize = 8 << 20;

        private Builder() {
        }

        /** Where credentials come from; anonymous by default. */
        public Builder credentials(CredentialProvider value) {
            this.credentials = Objects.requireNonNull(value, "credentials");
            return this;
        }

        /** The retry policy; {@link RetryPolicy#DEFAULT} by default. */
        public Builder retry(RetryPolicy value) {
            this.retry = Objects.requireNonNull(value, "retry");
            return this;
        }

        /** TCP connect timeout; 30 s (Docker's dial timeout) by default. */
        public Builder connectTimeout(Duration value) {
            this.connectTimeout = positive(value, "connectTimeout");
            return this;
        }

        /** How long to wait for response headers; 60 s by default. */
        public Builder headerTimeout(Duration value) {
            this.headerTimeout = positive(value, "headerTimeout");
            return this;
        }

        /** How long a body read may wait for more data; 60 s by default. */
        public Builder idleTimeout(Duration value) {
            this.idleTimeout = positive(value, "idleTimeout");
            return this;
        }

        /** The User-Agent; {@link #DEFAULT_USER_AGENT} by default. */
        public Builder userAgent(String value) {
            this.userAgent = Objects.requireNonNull(value, "userAgent");
            return this;
        }

        /** Concurrent requests per registry host; 8 by default. */
        public Builder maxConcurrentRequests(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("maxConcurrentRequests must be at least 1: " + value);
            }
            this.maxConcurrentRequests = value;
            return this;
        }

        /**
         * The clock for token expiry, retry deadlines and {@code Retry-After} dates; the system clock (UTC)
         * by default. Waits themselves are real sleeps: the clock decides how long, not how.
         */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /**
         * A registry ({@code host[:port]}) that may be reached over plain http after https failed, as
         * Docker's {@code insecure-registries}. Loopback registries are insecure by default, as in Docker.
         */
        public Builder addInsecureRegistry(String host) {
            this.insecure.add(Objects.requireNonNull(host, "host").toLowerCase(Locale.ROOT));
            return this;
        }

        /** A Docker Hub mirror, tried in the order added before Docker Hub itself (pulls only). */
        public Builder addMirror(URI value) {
            Objects.requireNonNull(value, "value");
            String scheme = value.getScheme();
            if (!"https".equals(scheme) && !"http".equals(scheme)) {
                throw new IllegalArgumentException("a mirror must be an http(s) URL: " + Urls.redact(value));
            }
            String s = value.toString();
            this.mirrors.add(URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s));
            return this;
        }

        /**
         * Whether loopback registries (127.0.0.0/8, ::1, localhost) count as insecure, as they do in
         * Docker by default (true). With false they get the same certificate checks as any host.
         *
         * @return this
         */
        public Builder loopbackInsecure(boolean value) {
            this.loopbackInsecure = value;
            return this;
        }

        /**
         * Formerly chose between Berth's own HTTP/1.1 code and the JDK client for bodiless plain-http
         * requests. Every request now goes through Berth's own client, so this does nothing.
         *
         * @param value ignored
         * @return this
         * @deprecated there is one HTTP client; remove the call. Kept for one release.
         */
        @Deprecated(since = "0.1.0", forRemoval = true)
        public Builder fastPlainHttp(boolean value) {
            return this;
        }

        /**
         * The TLS context for registries that are not insecure (custom CAs, client certificates); the
         * JDK default otherwise.
         *
         * @return this
         */
        public Builder sslContext(SSLContext value) {
            this.sslContext = Objects.requireNonNull(value, "sslContext");
            return this;
        }

        /** The platform selected from indexes; the host's by default. */
        public Builder platform(Platform value) {
            this.platform = Objects.requireNonNull(value, "platform");
            return this;
        }

        /**
         * Chunked uploads: blobs larger than {@code threshold} bytes go up in PATCHes of {@code chunkSize}
         * bytes (raised to the registry's {@code OCI-Chunk-Min-Length}), each streamed from the source
         * (never held in memory). A registry that refuses the first chunk (400, 405, 416 or 501) gets the
         * blob in one PUT on a new upload session. The same as {@link #chunkedUploadThreshold} and
         * {@link #chunkSize} together; by default every blob goes up in one PUT, as dockerd sends it.
         *
         * @return this
         */
        public Builder chunkedUploads(long threshold, int chunkSize) {
            return chunkedUploadThreshold(threshold).chunkSize(chunkSize);
        }

        /** Blobs larger than this are uploaded in chunks; never by default (monolithic, as dockerd). */
        public Builder chunkedUploadThreshold(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("chunkedUploadThreshold must not be negative: " + bytes);
            }
            this.chunkedUploadThreshold = bytes;
            return this;
        }

        /** The chunk size of chunked uploads (raised to the registry's OCI-Chunk-Min-Length); 8 MiB by default. */
        public Builder chunkSize(int bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("chunkSize must be positive: " + bytes);
            }
            this.chunkSize = bytes;
            return this;
        }

        /** The resolver. */
        public HttpRegistryResolver build() {
            return new HttpRegistryResolver(this);
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive: " + d);
            }
            return d;
        }
    }
}
