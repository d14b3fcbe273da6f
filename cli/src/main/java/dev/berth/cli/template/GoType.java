package dev.berth.cli.template;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * A Go type, as far as templates can tell types apart: its kind, the name Go prints in errors and
 * {@code %T}, and for structs their fields in declaration order (Go prints them in that order).
 * Immutable.
 */
final class GoType {
    enum Kind { BOOL, INT, UINT, FLOAT, STRING, SLICE, MAP, STRUCT, PTR, IFACE, REFLECT }

    /** A struct field: its Go name, its JSON name and whether {@code omitempty} drops it when empty. */
    record Field(String name, String json, boolean omitEmpty, GoType type) {
    }

    static final GoType BOOL = new GoType(Kind.BOOL, "bool", null);
    static final GoType INT = new GoType(Kind.INT, "int", null);
    static final GoType UINT8 = new GoType(Kind.UINT, "uint8", null);
    static final GoType UINT32 = new GoType(Kind.UINT, "uint32", null);
    static final GoType FLOAT64 = new GoType(Kind.FLOAT, "float64", null);
    static final GoType STRING = new GoType(Kind.STRING, "string", null);
    static final GoType ANY = new GoType(Kind.IFACE, "interface {}", null);
    /** A parameter that takes the argument as it is ({@code reflect.Value} in Go's builtins). */
    static final GoType REFLECT = new GoType(Kind.REFLECT, "reflect.Value", null);
    static final GoType STRINGS = slice(STRING);
    /** encoding/json's Number: a string type that prints as itself and encodes as a bare number. */
    static final GoType JSON_NUMBER = new GoType(Kind.STRING, "json.Number", null);

    final Kind kind;
    final String name;
    final GoType elem;
    final Map<String, Field> fields = new LinkedHashMap<>();
    /** Methods without arguments, by name (Docker's formatter contexts). */
    final Map<String, Function<Val, Val>> methods = new LinkedHashMap<>();
    /** The type's String method, if it has one. */
    Function<Val, String> stringer;
    /** The type's MarshalJSON, as a plain value, if it has one. */
    Function<Val, Object> marshal;

    private GoType(Kind kind, String name, GoType elem) {
        this.kind = kind;
        this.name = name;
        this.elem = elem;
    }

    static GoType slice(GoType elem) {
        return new GoType(Kind.SLICE, "[]" + elem.name, elem);
    }

    static GoType ptr(GoType elem) {
        return new GoType(Kind.PTR, "*" + elem.name, elem);
    }

    static GoType map(GoType elem) {
        return new GoType(Kind.MAP, "map[string]" + elem.name, elem);
    }

    static GoType struct(String name) {
        return new GoType(Kind.STRUCT, name, null);
    }

    GoType field(String fieldName, GoType type) {
        return field(fieldName, fieldName, false, type);
    }

    GoType field(String fieldName, String json, boolean omitEmpty, GoType type) {
        fields.put(fieldName, new Field(fieldName, json, omitEmpty, type));
        return this;
    }

    /** Types are equal when they are the same Go type; slices, maps and pointers by their element. */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        return o instanceof GoType t && t.kind == kind && t.name.equals(name)
                && (kind == Kind.SLICE || kind == Kind.PTR || kind == Kind.MAP) && Objects.equals(t.elem, elem);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public String toString() {
        return name;
    }

    boolean canBeNil() {
        return switch (kind) {
            case SLICE, MAP, PTR, IFACE, REFLECT -> true;
            default -> false;
        };
    }

    /** The zero value of this type. */
    Val zero() {
        return switch (kind) {
            case BOOL -> new Val(this, Boolean.FALSE);
            case INT, UINT -> new Val(this, 0L);
            case FLOAT -> new Val(this, 0.0);
            case STRING -> new Val(this, "");
            case STRUCT -> {
                Map<String, Val> m = new LinkedHashMap<>();
                fields.values().forEach(f -> m.put(f.name(), f.type().zero()));
                yield new Val(this, m);
            }
            default -> new Val(this, null);
        };
    }

    static List<GoType> all(GoType... types) {
        return List.of(types);
    }
}
