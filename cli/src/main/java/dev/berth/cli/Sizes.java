package dev.berth.cli;

import java.util.Locale;

/** Byte sizes as people type them: {@code 16777216}, {@code 16MiB}, {@code 16MB}, {@code 16m} (powers of 1024, as Docker's). */
final class Sizes {
    /** The largest chunk an upload sends: the JDK cannot send one request body of 2 GiB or more anyway. */
    static final long MAX = Integer.MAX_VALUE;

    private Sizes() {
    }

    /**
     * Parses a size of 1 byte to {@link #MAX}.
     *
     * @throws IllegalArgumentException when it is not a size or out of range
     */
    static long parse(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        int end = 0;
        while (end < s.length() && Character.isDigit(s.charAt(end))) {
            end++;
        }
        if (end == 0 || end > 12) {
            throw new IllegalArgumentException("not a size (e.g. 16MiB)");
        }
        long n = Long.parseLong(s.substring(0, end));
        long unit = switch (s.substring(end).trim()) {
            case "", "b" -> 1L;
            case "k", "kb", "kib" -> 1L << 10;
            case "m", "mb", "mib" -> 1L << 20;
            case "g", "gb", "gib" -> 1L << 30;
            default -> throw new IllegalArgumentException("unknown unit (use KiB, MiB or GiB)");
        };
        if (n < 1 || n > MAX / unit) {
            throw new IllegalArgumentException("must be between 1 byte and 2GiB");
        }
        return n * unit;
    }
}
