package dev.berth.cli.template;

import java.util.List;
import java.util.Map;

/**
 * A Go value of a {@link GoType}: {@code Boolean}, {@code Long} (every integer kind), {@code Double},
 * {@code String}; a {@code List<Val>} for a slice, a {@code Map<String, Val>} for a map or a struct;
 * the pointed-to or contained {@code Val} for a pointer or an interface. {@code null} stands for nil.
 * A Java {@code null} in place of a {@code Val} is Go's invalid {@code reflect.Value} (no value).
 */
record Val(GoType type, Object v) {
    /** The pipeline's "no value yet" marker, Go's missingVal. */
    static final Val MISSING = new Val(GoType.struct("template.missingValType"), Map.of());

    static Val of(boolean b) {
        return new Val(GoType.BOOL, b);
    }

    static Val of(long n) {
        return new Val(GoType.INT, n);
    }

    static Val of(String s) {
        return new Val(GoType.STRING, s);
    }

    static Val strings(List<String> list) {
        return new Val(GoType.STRINGS, list.stream().map(Val::of).toList());
    }

    GoType.Kind kind() {
        return type.kind;
    }

    boolean isNil() {
        return v == null;
    }

    @SuppressWarnings("unchecked")
    List<Val> list() {
        return (List<Val>) v;
    }

    @SuppressWarnings("unchecked")
    Map<String, Val> map() {
        return (Map<String, Val>) v;
    }

    Val elem() {
        return (Val) v;
    }

    long asLong() {
        return (Long) v;
    }

    String str() {
        return (String) v;
    }
}
