package dev.berth.benchmarks.jmh;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The least a registry must do to serve one blob over plain HTTP/1.1 on 127.0.0.1: {@code /v2/} answers
 * {@code {}}, {@code GET|HEAD /v2/…/blobs/<digest>} answers the bytes with their digest, anything else
 * 404. Keep-alive, one thread per connection, the body written from memory in one call, so a benchmark
 * of the client measures the client.
 */
final class BlobServer implements AutoCloseable {
    private final ServerSocket server;
    private final byte[] body;
    private final String digest;
    private final Thread acceptor;

    BlobServer(byte[] body, String digest) throws IOException {
        this.body = body;
        this.digest = digest;
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        acceptor = new Thread(this::accept, "blob-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread t = new Thread(() -> serve(s), "blob-server-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s; InputStream in = new BufferedInputStream(s.getInputStream()); OutputStream out = s.getOutputStream()) {
            while (true) {
                String requestLine = line(in);
                if (requestLine == null) {
                    return;
                }
                for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
                    // headers are not needed: no request here has a body
                }
                String[] parts = requestLine.split(" ");
                String method = parts[0];
                String path = parts.length > 1 ? parts[1] : "";
                byte[] content;
                String head;
                if (path.equals("/v2/")) {
                    content = "{}".getBytes(StandardCharsets.US_ASCII);
                    head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                            + "Docker-Distribution-Api-Version: registry/2.0\r\n";
                } else if (path.endsWith("/blobs/" + digest)) {
                    content = body;
                    head = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nDocker-Content-Digest: " + digest
                            + "\r\n";
                } else {
                    content = "{\"errors\":[{\"code\":\"BLOB_UNKNOWN\"}]}".getBytes(StandardCharsets.US_ASCII);
                    head = "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n";
                }
                out.write((head + "Content-Length: " + content.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                if (!method.equals("HEAD")) {
                    out.write(content);
                }
                out.flush();
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int c; (c = in.read()) >= 0; ) {
            if (c == '\n') {
                int n = b.length();
                return n > 0 && b.charAt(n - 1) == '\r' ? b.substring(0, n - 1) : b.toString();
            }
            b.append((char) c);
        }
        return b.length() == 0 ? null : b.toString();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
