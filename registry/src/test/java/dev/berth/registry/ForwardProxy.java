package dev.berth.registry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A forward HTTP proxy on 127.0.0.1 for tests: {@code CONNECT host:port} opens a tunnel, a request in
 * absolute form is passed on in origin form over a fresh connection. Records each request line. One
 * request per connection, as Berth sends.
 */
final class ForwardProxy implements AutoCloseable {
    private final ServerSocket socket;
    private final List<String> requestLines = new CopyOnWriteArrayList<>();
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    ForwardProxy() throws IOException {
        socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "forward-proxy");
        t.setDaemon(true);
        t.start();
    }

    /** A selector that sends everything through this proxy. */
    ProxySelector selector() {
        Proxy proxy = new Proxy(Proxy.Type.HTTP, new InetSocketAddress("127.0.0.1", socket.getLocalPort()));
        return new ProxySelector() {
            @Override
            public List<Proxy> select(URI uri) {
                return List.of(proxy);
            }

            @Override
            public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
                // a test sees the failure itself
            }
        };
    }

    List<String> requestLines() {
        return requestLines;
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket client = socket.accept();
                open.add(client);
                Thread t = new Thread(() -> serve(client), "forward-proxy-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            InputStream in = client.getInputStream();
            String head = readHead(in);
            String line = head.substring(0, head.indexOf("\r\n"));
            requestLines.add(line);
            String[] parts = line.split(" ");
            if (parts[0].equals("CONNECT")) {
                String[] hp = parts[1].split(":");
                try (Socket origin = new Socket(hp[0], Integer.parseInt(hp[1]))) {
                    open.add(origin);
                    client.getOutputStream().write("HTTP/1.1 200 Connection established\r\n\r\n"
                            .getBytes(StandardCharsets.ISO_8859_1));
                    pipe(in, origin, client);
                }
                return;
            }
            URI target = URI.create(parts[1]);
            String rest = head.substring(head.indexOf("\r\n"), head.length() - 2);
            String path = target.getRawPath() + (target.getRawQuery() == null ? "" : "?" + target.getRawQuery());
            try (Socket origin = new Socket(target.getHost(), target.getPort())) {
                open.add(origin);
                // one request per connection on both sides: the origin closes after its answer, and the
                // client is told so, so it never sends a second request this proxy would not read
                origin.getOutputStream().write((parts[0] + " " + path + " " + parts[2] + rest
                        + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                upstream(in, origin);
                InputStream originIn = origin.getInputStream();
                String answer = readHead(originIn);
                OutputStream out = client.getOutputStream();
                out.write((answer.substring(0, answer.length() - 2) + "Connection: close\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                originIn.transferTo(out);
            }
        } catch (IOException | RuntimeException e) {
            // the test sees what the client saw
        }
    }

    /** Copies client to origin on another thread and origin to client on this one, until the origin closes. */
    private static void pipe(InputStream clientIn, Socket origin, Socket client) throws IOException {
        upstream(clientIn, origin);
        OutputStream out = client.getOutputStream();
        origin.getInputStream().transferTo(out);
    }

    /** Copies what the client sends on to the origin, on a thread of its own, until either side closes. */
    private static void upstream(InputStream clientIn, Socket origin) {
        Thread up = new Thread(() -> {
            try {
                clientIn.transferTo(origin.getOutputStream());
            } catch (IOException e) {
                // either side closed
            }
        }, "forward-proxy-up");
        up.setDaemon(true);
        up.start();
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed inside the head");
            }
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        socket.close();
        for (Socket s : open) {
            s.close();
        }
    }
}
