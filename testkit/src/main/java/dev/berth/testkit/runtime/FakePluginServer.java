package dev.berth.testkit.runtime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * An in-process plugin: an HTTP/1.1 server on a unix socket that answers Docker's plugin protocol
 * with a handler, one request per connection ({@code Connection: close}), like the small C plugin of
 * the real runc tests. For tests of plugin clients and of the fake runtime. Thread-safe; close it.
 */
public final class FakePluginServer implements AutoCloseable {
    /** A request: the path (e.g. {@code /VolumeDriver.Create}) and the body. */
    public record Request(String path, String body) {
    }

    /**
     * A response.
     *
     * @param status the HTTP status
     * @param body   the raw response bytes after the head, or the body
     * @param raw    whether {@code body} is sent as is with no head (to simulate broken plugins)
     */
    public record Response(int status, String body, boolean raw) {
        /** A 200 with a JSON body. */
        public static Response ok(String json) {
            return new Response(200, json, false);
        }

        /** A status with a JSON body. */
        public static Response of(int status, String json) {
            return new Response(status, json, false);
        }
    }

    private static final int MAX_SOCKET_PATH_BYTES = 106;

    private final Path socket;
    private final Path bindLink;
    private final ServerSocketChannel server;
    private final Function<Request, Response> handler;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean closed;

    private FakePluginServer(Path socket, Function<Request, Response> handler) throws IOException {
        this.socket = socket;
        this.handler = handler;
        Files.deleteIfExists(socket);
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        if (socket.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH_BYTES) {
            // A containerised plugin binds /run/docker/plugins/<socket>, a short path whatever the host's
            // exec root; this fake binds on the host, so it takes a short private link to the dir instead.
            this.bindLink = Files.createTempDirectory("fps",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            try {
                Files.createSymbolicLink(bindLink.resolve("d"), socket.toAbsolutePath().getParent());
                server.bind(UnixDomainSocketAddress.of(bindLink.resolve("d").resolve(socket.getFileName())));
            } catch (IOException | RuntimeException e) {
                server.close();
                removeBindLink();
                throw e;
            }
        } else {
            this.bindLink = null;
            server.bind(UnixDomainSocketAddress.of(socket));
        }
        this.thread = new Thread(this::serve, "fake-plugin " + socket.getFileName());
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Starts serving on a socket path (replacing a stale file there).
     *
     * @throws IOException if the socket cannot be bound
     */
    public static FakePluginServer start(Path socket, Function<Request, Response> handler) throws IOException {
        return new FakePluginServer(Objects.requireNonNull(socket, "socket"), Objects.requireNonNull(handler, "handler"));
    }

    /** A handler answering like the C test plugin: Activate names the given interfaces; everything else {@code {"Err":""}}. */
    public static Function<Request, Response> activating(String... implemented) {
        StringBuilder list = new StringBuilder();
        for (String s : implemented) {
            list.append(list.length() == 0 ? "" : ",").append('"').append(s).append('"');
        }
        String activate = "{\"Implements\":[" + list + "]}";
        return r -> r.path().equals("/Plugin.Activate") ? Response.ok(activate) : Response.ok("{\"Err\":\"\"}");
    }

    /** The socket path. */
    public Path socket() {
        return socket;
    }

    /** The requests received so far, in order. */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    private void serve() {
        while (!closed) {
            try (SocketChannel c = server.accept()) {
                handle(c);
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void handle(SocketChannel c) throws IOException {
        ByteArrayOutputStream in = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(8192);
        int headEnd = -1;
        long contentLength = 0;
        while (true) {
            buf.clear();
            int n = c.read(buf);
            if (n < 0) {
                return;
            }
            in.write(buf.array(), 0, n);
            String text = in.toString(StandardCharsets.ISO_8859_1);
            if (headEnd < 0) {
                headEnd = text.indexOf("\r\n\r\n");
                if (headEnd >= 0) {
                    for (String line : text.substring(0, headEnd).split("\r\n")) {
                        if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                            contentLength = Long.parseLong(line.substring(15).trim());
                        }
                    }
                }
            }
            if (headEnd >= 0 && in.size() >= headEnd + 4 + contentLength) {
                break;
            }
        }
        String all = in.toString(StandardCharsets.UTF_8);
        String requestLine = all.substring(0, all.indexOf("\r\n"));
        String[] parts = requestLine.split(" ");
        Request request = new Request(parts.length > 1 ? parts[1] : "", all.substring(headEnd + 4));
        requests.add(request);
        Response response = handler.apply(request);
        byte[] body = response.body().getBytes(StandardCharsets.UTF_8);
        byte[] out;
        if (response.raw()) {
            out = body;
        } else {
            String head = "HTTP/1.1 " + response.status() + " X\r\nContent-Type: application/vnd.docker.plugins.v1.1+json\r\n"
                    + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            o.write(head.getBytes(StandardCharsets.ISO_8859_1));
            o.write(body);
            out = o.toByteArray();
        }
        ByteBuffer ob = ByteBuffer.wrap(out);
        while (ob.hasRemaining()) {
            c.write(ob);
        }
    }

    /** Stops serving and removes the socket file. Idempotent. */
    @Override
    public void close() {
        closed = true;
        try {
            server.close();
            thread.join(5000);
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            // best effort: the test's temp dir goes away anyway
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        removeBindLink();
    }

    private void removeBindLink() {
        if (bindLink == null) {
            return;
        }
        try {
            Files.deleteIfExists(bindLink.resolve("d"));
            Files.deleteIfExists(bindLink);
        } catch (IOException e) {
            // best effort, as above
        }
    }
}
