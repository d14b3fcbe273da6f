package dev.berth.archive.internal;

import dev.berth.rootfs.RootfsLimits;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Entry names as the unpack policy reads them (attack catalog P1): leading slashes stripped, cleaned
 * lexically like Go's {@code path.Clean}, and refused when they still climb out of the root.
 */
public final class Names {
    private Names() {
    }

    /**
     * Cleans a name into components: empty for the root itself; a leading {@code ".."} survives only
     * when the name escapes, which {@link #confined} then refuses.
     */
    public static List<String> clean(String name) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = name.length();
        while (i <= n) {
            int slash = name.indexOf('/', i);
            int end = slash < 0 ? n : slash;
            String part = name.substring(i, end);
            if (part.isEmpty() || part.equals(".")) {
                // nothing: "//" and "." vanish
            } else if (part.equals("..")) {
                if (!out.isEmpty() && !out.get(out.size() - 1).equals("..")) {
                    out.remove(out.size() - 1);
                } else {
                    out.add(part);
                }
            } else {
                out.add(part);
            }
            if (slash < 0) {
                break;
            }
            i = slash + 1;
        }
        return out;
    }

    /**
     * Cleans an entry name or hard-link target and checks it: no NUL, no undecodable bytes, no escape,
     * within the path caps.
     *
     * @return the components, empty for the root
     */
    public static List<String> confined(String raw, String entry, RootfsLimits limits) {
        checkChars(raw, entry);
        List<String> parts = clean(raw);
        if (!parts.isEmpty() && parts.get(0).equals("..")) {
            throw Errors.breakout(entry, "climbs out of the root");
        }
        checkLength(parts, entry, limits);
        return parts;
    }

    /** Refuses NUL characters and the replacement character undecodable bytes turn into. */
    public static void checkChars(String raw, String entry) {
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == 0) {
                throw Errors.malformed(printable(entry), "holds a NUL character");
            }
            if (c == '\uFFFD') {
                throw Errors.malformed(printable(entry), "is not valid UTF-8");
            }
        }
    }

    /** Applies the length, component-length and depth caps. */
    public static void checkLength(List<String> parts, String entry, RootfsLimits limits) {
        if (parts.size() > limits.maxPathDepth()) {
            throw Errors.limit("tar entry \"" + abbreviate(entry) + "\" is " + parts.size()
                    + " components deep; the limit is " + limits.maxPathDepth());
        }
        long total = 0;
        for (String part : parts) {
            int length = part.getBytes(StandardCharsets.UTF_8).length;
            if (length > limits.maxNameLength()) {
                throw Errors.limit("tar entry \"" + abbreviate(entry) + "\" has a " + length
                        + "-byte component; the limit is " + limits.maxNameLength());
            }
            total += length + 1;
        }
        if (total - 1 > limits.maxPathLength()) {
            throw Errors.limit("tar entry \"" + abbreviate(entry) + "\" has a " + (total - 1)
                    + "-byte path; the limit is " + limits.maxPathLength());
        }
    }

    /** Joins components with '/'. */
    public static String join(List<String> parts) {
        return String.join("/", parts);
    }

    /** Keeps messages short when a hostile name is huge. */
    public static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...(" + s.length() + " chars)";
    }

    private static String printable(String s) {
        return abbreviate(s.replace("\0", "\\0"));
    }
}
