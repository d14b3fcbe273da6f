package dev.berth.registry.internal;

import dev.berth.internal.http.Http1Client;
import dev.berth.internal.http.Http1Response;
import dev.berth.internal.http.StreamBody;
import dev.berth.registry.CredentialProvider;
import dev.berth.registry.RetryPolicy;
import dev.berth.remote.RegistryException.Reason;
import dev.berth.remote.RegistryException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Semaphore;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends requests the way a registry client must: redirects followed by hand (credentials only ever go to
 * the origin they belong to, https never downgrades, no more than {@link #MAX_REDIRECTS} hops, no
 * redirect from one host to a private or loopback address), authentication answered once per challenge,
 * transient failures retried with backoff and jitter within the {@link RetryPolicy}, and at most a fixed
 * number of concurrent requests per registry. Thread-safe.
 */
public final class Transport {
    /** The most redirects followed for one request, as containerd. */
    public static final int MAX_REDIRECTS = 10;
    private static final Logger LOG = LoggerFactory.getLogger(Transport.class);
    private static final Set<Integer> RETRYABLE = Set.of(408, 429, 500, 502, 503, 504);

    /**
     * Transport settings.
     *
     * @param tls             the TLS context for https, asked for on the first https request (building
     *                        the JDK's default context loads the trust store: commands that never reach
     *                        a registry must not pay for it)
     * @param connectTimeout  how long a connection may take to open
     * @param credentials     credentials per registry host
     * @param retry           retry policy
     * @param headerTimeout   how long to wait for response headers
     * @param idleTimeout     how long a body read or write may wait for the peer
     * @param userAgent       the User-Agent header
     * @param maxConcurrent   concurrent requests per registry host
     * @param clock           the clock for token expiry, retry deadlines and {@code Retry-After} dates
     */
    public record Settings(java.util.function.Supplier<SSLContext> tls, Duration connectTimeout,
                           CredentialProvider credentials, RetryPolicy retry, Duration headerTimeout,
                           Duration idleTimeout, String userAgent, int maxConcurrent, Clock clock) {
        /** Validates. */
        public Settings {
            Objects.requireNonNull(tls, "tls");
            Objects.requireNonNull(connectTimeout, "connectTimeout");
            Objects.requireNonNull(credentials, "credentials");
            Objects.requireNonNull(retry, "retry");
            Objects.requireNonNull(headerTimeout, "headerTimeout");
            Objects.requireNonNull(idleTimeout, "idleTimeout");
            Objects.requireNonNull(userAgent, "userAgent");
            Objects.requireNonNull(clock, "clock");
            if (maxConcurrent < 1) {
                throw new IllegalArgumentException("maxConcurrent must be at least 1: " + maxConcurrent);
            }
        }
    }

    /**
     * A value built on first use and then kept: thread-safe, built at most once.
     *
     * @param <T>   the value's type
     * @param build how to build it
     * @return the memoising supplier
     */
    public static <T> java.util.function.Supplier<T> lazy(java.util.function.Supplier<T> build) {
        Objects.requireNonNull(build, "build");
        return new java.util.function.Supplier<>() {
            private volatile T value;

            @Override
            public T get() {
                T v = value;
                if (v == null) {
                    synchronized (this) {
                        v = value;
                        if (v == null) {
                            v = Objects.requireNonNull(build.get(), "built value");
                            value = v;
                        }
                    }
                }
                return v;
            }
        };
    }

    /** The JDK's default TLS context (its trust store, the {@code javax.net.ssl} properties). */
    public static SSLContext defaultTls() {
        try {
            return SSLContext.getDefault();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no default TLS context", e);
        }
    }

    private final Settings settings;
    private final Http1Client.Dialer dialer;
    private final Authorizer authorizer;
    private final ConcurrentMap<String, Semaphore> permits = new ConcurrentHashMap<>();

    /** A transport with the given settings. */
    public Transport(Settings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.dialer = new Http1Client.Dialer(settings.connectTimeout(), settings.idleTimeout(), settings.tls(),
                lazy(InsecureTls::context), java.net.ProxySelector::getDefault);
        this.authorizer = new Authorizer(this, settings.credentials(), settings.clock());
    }

    /** The settings. */
    public Settings settings() {
        return settings;
    }

    /**
     * Sends a request with authentication, redirects and retries. The response may have any status; a
     * 401 is returned only when a fresh authorization was refused too.
     *
     * @throws RegistryException UNAVAILABLE when retries ran out on I/O errors, REDIRECT or AUTH when
     *                           refused
     */
    public Response send(Request request) {
        RetryPolicy policy = settings.retry();
        Backoff budget = new Backoff(policy, settings.clock());
        boolean reauthorized = false;
        int attempt = 0;
        while (true) {
            attempt++;
            Response response;
            try {
                response = sendFollowingRedirects(request);
            } catch (IOException e) {
                if (e instanceof InterruptedIOException && Thread.currentThread().isInterrupted()) {
                    throw new RegistryException(Reason.UNAVAILABLE, "interrupted: " + describe(request), e);
                }
                if (StreamBody.SourceFailure.in(e)) {
                    // the request body's source failed (unreadable, short, corrupt): sending it again
                    // would only read the same bytes again
                    throw new RegistryException(Reason.UNAVAILABLE, describe(request) + ": reading the body failed: "
                            + safeMessage(e), e);
                }
                if (e instanceof javax.net.ssl.SSLException) {
                    // a TLS failure does not heal by retrying; the caller may fall back to http
                    throw new RegistryException(Reason.UNAVAILABLE, describe(request) + ": TLS failed: "
                            + safeMessage(e), e);
                }
                Duration delay = budget.delay(attempt);
                if (!budget.mayRetry(attempt, delay)) {
                    throw new RegistryException(Reason.UNAVAILABLE, describe(request) + ": " + attempt
                            + " attempt(s) failed, last: " + safeMessage(e), e);
                }
                LOG.debug("{}: attempt {} failed ({}), retrying in {} ms", describe(request), attempt, safeMessage(e),
                        delay.toMillis());
                sleep(delay);
                continue;
            }
            int status = response.status();
            // only the registry's own origin may challenge: a 401 from a redirect target (a CDN) must not
            // make Berth send the registry's credentials to whatever realm that host names
            boolean fromRegistry = Urls.origin(response.uri()).equals(Urls.origin(request.uri()));
            if (status == 401 && request.registry().isPresent() && !reauthorized && fromRegistry) {
                List<Challenge> challenges = Challenge.parseAll(response.headers().allValues("WWW-Authenticate"));
                response.close();
                authorizer.challenged(request.registry().get(), request.uri(), challenges, request.scopes());
                reauthorized = true;
                attempt--; // answering a challenge is not a failed attempt
                continue;
            }
            if (RETRYABLE.contains(status)) {
                Optional<Duration> retryAfter = retryAfter(response, settings.clock());
                if (retryAfter.isPresent() && retryAfter.get().compareTo(policy.maxRetryAfter()) > 0) {
                    response.close();
                    throw new RegistryException(Reason.UNAVAILABLE, describe(request) + ": status " + status
                            + " with Retry-After " + retryAfter.get().toSeconds() + " s, more than the "
                            + policy.maxRetryAfter().toSeconds() + " s Berth waits");
                }
                int attemptNo = attempt;
                Duration delay = retryAfter.orElseGet(() -> budget.delay(attemptNo));
                if (budget.mayRetry(attempt, delay)) {
                    response.close();
                    LOG.debug("{}: status {}, retrying in {} ms", describe(request), status, delay.toMillis());
                    sleep(delay);
                    continue;
                }
            }
            return response;
        }
    }

    /** Sends without retries or authentication: the token client's own loop uses this. */
    Response sendOnce(Request request) throws IOException {
        return sendFollowingRedirects(request);
    }

    private Response sendFollowingRedirects(Request request) throws IOException {
        URI uri = request.uri();
        String firstOrigin = Urls.origin(uri);
        String method = request.method();
        boolean withBody = request.body().isPresent();
        Semaphore permit = request.registry().map(this::permit).orElse(null);
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            boolean sameOrigin = Urls.origin(uri).equals(firstOrigin);
            List<String[]> headers = new ArrayList<>(request.headers().size() + 2);
            headers.add(new String[] {"User-Agent", settings.userAgent()});
            headers.addAll(request.headers());
            if (sameOrigin) {
                Optional<String> auth = request.authorization();
                if (auth.isEmpty() && request.registry().isPresent()) {
                    auth = authorizer.authorization(request.registry().get(), uri, request.scopes());
                }
                auth.ifPresent(a -> headers.add(new String[] {"Authorization", a}));
            }
            Optional<StreamBody> body = withBody ? Optional.of(request.body().get().get()) : Optional.empty();
            // Only the registry's own origin, declared insecure, is spoken to without certificate checks.
            boolean skipTlsChecks = request.insecure() && sameOrigin && uri.getScheme().equalsIgnoreCase("https");
            Response response = exchange(new Http1Client.Exchange(method, uri, headers, body,
                    settings.headerTimeout(), skipTlsChecks), permit);
            LOG.debug("{} {} -> {}", method, Urls.redact(uri), response.status());
            int status = response.status();
            if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) {
                return response;
            }
            Optional<String> location = response.header("Location");
            response.close();
            if (location.isEmpty()) {
                throw new RegistryException(Reason.REDIRECT, describe(request) + ": redirect " + status
                        + " without a Location");
            }
            URI next = nextHop(uri, location.get(), request);
            if (status == 303 || ((status == 301 || status == 302) && method.equals("POST"))) {
                method = "GET";
                withBody = false;
            }
            uri = next;
        }
        throw new RegistryException(Reason.REDIRECT, describe(request) + ": more than " + MAX_REDIRECTS + " redirects");
    }

    private static URI nextHop(URI from, String location, Request request) {
        return checkRedirect(from, location, request.insecure(), describe(request));
    }

    /**
     * Where a redirect may go: {@code location} resolved against {@code from} (RFC 3986), refused with
     * {@link Reason#REDIRECT} for a scheme other than http(s), no host, user info, a downgrade from
     * https to http (unless the registry is insecure), or another host that is a private, loopback,
     * link-local or unspecified address literal.
     */
    public static URI checkRedirect(URI from, String location, boolean insecure, String subject) {
        URI next;
        try {
            next = from.resolve(new URI(location.trim()));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new RegistryException(Reason.REDIRECT, subject + ": invalid redirect Location");
        }
        String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new RegistryException(Reason.REDIRECT, subject + ": redirect to a " + scheme + " URL refused");
        }
        if (next.getHost() == null || next.getHost().isEmpty()) {
            throw new RegistryException(Reason.REDIRECT, subject + ": redirect without a host refused");
        }
        if (next.getRawUserInfo() != null) {
            throw new RegistryException(Reason.REDIRECT, subject + ": redirect carrying user info refused");
        }
        if (from.getScheme().equalsIgnoreCase("https") && scheme.equals("http") && !insecure) {
            throw new RegistryException(Reason.REDIRECT, subject + ": redirect from https to http refused: "
                    + Urls.redact(next));
        }
        boolean sameHost = next.getHost().equalsIgnoreCase(from.getHost());
        if (!sameHost && Urls.isForbiddenLiteral(next.getHost())) {
            throw new RegistryException(Reason.REDIRECT, subject
                    + ": redirect to a private, loopback or link-local address refused: " + Urls.redact(next));
        }
        return next;
    }

    private Response exchange(Http1Client.Exchange exchange, Semaphore permit) throws IOException {
        if (permit != null) {
            try {
                permit.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for a connection slot");
            }
        }
        // runs release itself when it fails
        Http1Response answer = Http1Client.send(exchange, dialer, permit == null ? () -> { } : permit::release);
        return new Response(answer.status(), answer.headers(), answer.uri(), answer.body());
    }

    private Semaphore permit(String registry) {
        return permits.computeIfAbsent(registry, k -> new Semaphore(settings.maxConcurrent(), true));
    }

    /**
     * {@code Retry-After} as seconds or an HTTP date in any of its three forms, as {@link RetryAfter#parse}
     * reads it against {@code clock}: zero for a date in the past, {@link Long#MAX_VALUE} seconds for
     * more digits than a long holds; empty when absent, negative or garbage.
     */
    static Optional<Duration> retryAfter(Response response, Clock clock) {
        // RFC 9110 says a recipient MUST accept the obsolete RFC 850 and asctime dates too, which
        // DateTimeFormatter.RFC_1123_DATE_TIME refused; and an overlong number must not read as absent
        return response.header("Retry-After").flatMap(v -> RetryAfter.parse(v, clock.instant()));
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException(Reason.UNAVAILABLE, "interrupted while waiting to retry", e);
        }
    }

    static String describe(Request r) {
        return r.method() + " " + Urls.redact(r.uri());
    }

    /** An exception message with any URL query stripped (the JDK puts URIs in some messages). */
    static String safeMessage(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage();
        return m.replaceAll("\\?[\\w.~-]+=[^\\s\"']*", "?<redacted>");
    }

    /** Needed by the token client. */
    Settings settingsForAuth() {
        return settings;
    }

    /** For tests: forgets cached tokens. */
    public void clearTokens() {
        authorizer.clear();
    }
}
