package dev.berth.plugin;

import java.util.List;

/** Copies for the nullable collections of this package (see the package documentation). */
final class Nulls {
    private Nulls() {
    }

    /** An immutable copy, or null for null. Elements must not be null. */
    static <T> List<T> copy(List<T> list) {
        return list == null ? null : List.copyOf(list);
    }

    /** The list, or an empty list for null. */
    static <T> List<T> orEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }
}
