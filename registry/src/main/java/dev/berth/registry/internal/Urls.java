package dev.berth.registry.internal;

import dev.berth.internal.http.Http1Client;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;

/** Origins, redaction and address checks for URLs a registry sends Berth to. Stateless. */
public final class Urls {
    private Urls() {
    }

    /** {@code scheme://host:port} with the default port filled in, lower case: what "same origin" compares. */
    public static String origin(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        int port = uri.getPort();
        if (port < 0) {
            port = scheme.equals("https") ? 443 : scheme.equals("http") ? 80 : -1;
        }
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
        return scheme + "://" + host + ":" + port;
    }

    /** The URI without query, fragment or user info: safe for logs and messages (presigned URLs carry secrets). */
    public static String redact(URI uri) {
        return Http1Client.redact(uri);
    }

    /** Whether the host is a loopback name or address literal. */
    public static boolean isLoopback(String host) {
        String h = stripBrackets(host).toLowerCase(Locale.ROOT);
        if (h.equals("localhost")) {
            return true;
        }
        InetAddress a = literal(h);
        return a != null && a.isLoopbackAddress();
    }

    /**
     * Whether the host is an IP literal a registry must not send Berth to on another host's behalf:
     * loopback, private, link-local (cloud metadata), unspecified or unique-local.
     */
    public static boolean isForbiddenLiteral(String host) {
        String h = stripBrackets(host).toLowerCase(Locale.ROOT);
        if (h.equals("localhost")) {
            return true;
        }
        InetAddress a = literal(h);
        if (a == null) {
            return false;
        }
        byte[] b = a.getAddress();
        boolean uniqueLocal = b.length == 16 && (b[0] & 0xFE) == 0xFC;
        return a.isLoopbackAddress() || a.isSiteLocalAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress()
                || uniqueLocal;
    }

    /** The address of an IP literal, or null when the host is a name (no DNS lookup is made). */
    static InetAddress literal(String host) {
        if (host.isEmpty()) {
            return null;
        }
        boolean v4 = host.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.');
        boolean v6 = host.indexOf(':') >= 0 && host.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.');
        if (!v4 && !v6) {
            return null;
        }
        try {
            return InetAddress.getByName(host); // a literal: parsed, not resolved
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static String stripBrackets(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }
}
