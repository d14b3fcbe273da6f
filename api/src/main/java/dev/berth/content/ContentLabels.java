package dev.berth.content;

import dev.berth.exception.InvalidParameterException;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Rules and filters for blob labels. Labels are free-form string pairs; Berth and containerd use them
 * to mark garbage-collection roots and the distribution source of a blob.
 *
 * <p>A label key is non-empty, and a key and its value together hold at most {@value #MAX_LABEL_SIZE}
 * characters (containerd's limit, which keeps label storage bounded). Keys are case-sensitive.
 */
public final class ContentLabels {
    /** The largest key plus value length accepted, in characters. */
    public static final int MAX_LABEL_SIZE = 4096;

    /** containerd's label marking a blob that garbage collection must keep. */
    public static final String GC_ROOT = "containerd.io/gc.root";

    private ContentLabels() {
    }

    /**
     * Checks every label and returns an unmodifiable copy.
     *
     * @throws InvalidParameterException naming the first label that breaks the rules
     */
    public static Map<String, String> validate(Map<String, String> labels) {
        Objects.requireNonNull(labels, "labels");
        for (Map.Entry<String, String> e : labels.entrySet()) {
            String key = Objects.requireNonNull(e.getKey(), "label key");
            String value = Objects.requireNonNull(e.getValue(), () -> "value of label " + key);
            if (key.isEmpty()) {
                throw new InvalidParameterException("label key must not be empty");
            }
            if (key.length() + value.length() > MAX_LABEL_SIZE) {
                throw new InvalidParameterException("label " + abbreviate(key) + " is too long: key and value hold "
                        + (key.length() + value.length()) + " characters, the limit is " + MAX_LABEL_SIZE);
            }
        }
        return Map.copyOf(labels);
    }

    /** Matches blobs that carry the label {@code key}, whatever its value. */
    public static Predicate<ContentInfo> hasLabel(String key) {
        Objects.requireNonNull(key, "key");
        return info -> info.labels().containsKey(key);
    }

    /** Matches blobs whose label {@code key} has exactly the value {@code value}. */
    public static Predicate<ContentInfo> labelEquals(String key, String value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        return info -> value.equals(info.labels().get(key));
    }

    /** Matches every blob. */
    public static Predicate<ContentInfo> all() {
        return info -> true;
    }

    private static String abbreviate(String key) {
        return key.length() <= 64 ? "\"" + key + "\"" : "\"" + key.substring(0, 64) + "...\"";
    }
}
