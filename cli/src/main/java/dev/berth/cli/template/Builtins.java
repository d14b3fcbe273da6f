package dev.berth.cli.template;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The functions a template can call: Go's builtins ({@code text/template/funcs.go}) and those Docker's
 * CLI adds ({@code json}, {@code join}, {@code split}, {@code title}, {@code lower}, {@code upper},
 * {@code pad}, {@code truncate}), each with its Go signature, because Go checks and converts
 * arguments by the parameter types.
 */
final class Builtins {
    /** What a function returned as its error; Go reports it as "error calling NAME: message". */
    static final class CallError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CallError(String message) {
            super(message, null, false, false);
        }
    }

    /** A function's parameters (the last one repeated when variadic) and its body. */
    record Func(List<GoType> params, boolean variadic, Function<List<Val>, Val> impl) {
    }

    static final Map<String, Func> FUNCS = Map.ofEntries(
            Map.entry("and", new Func(List.of(GoType.REFLECT, GoType.REFLECT), true, a -> null)),
            Map.entry("or", new Func(List.of(GoType.REFLECT, GoType.REFLECT), true, a -> null)),
            Map.entry("not", new Func(List.of(GoType.REFLECT), false,
                    a -> Val.of(!Exec.isTrue(indirectInterface(a.get(0)))))),
            Map.entry("len", new Func(List.of(GoType.REFLECT), false, a -> length(a.get(0)))),
            Map.entry("index", new Func(List.of(GoType.REFLECT, GoType.REFLECT), true,
                    a -> index(a.get(0), a.subList(1, a.size())))),
            Map.entry("slice", new Func(List.of(GoType.REFLECT, GoType.REFLECT), true,
                    a -> slice(a.get(0), a.subList(1, a.size())))),
            Map.entry("print", new Func(List.of(GoType.ANY), true, a -> Val.of(Fmt.sprint(a)))),
            Map.entry("println", new Func(List.of(GoType.ANY), true, a -> Val.of(Fmt.sprintln(a)))),
            Map.entry("printf", new Func(List.of(GoType.STRING, GoType.ANY), true,
                    a -> Val.of(Fmt.sprintf(a.get(0).str(), a.subList(1, a.size()))))),
            Map.entry("eq", new Func(List.of(GoType.REFLECT, GoType.REFLECT), true,
                    a -> Val.of(Compare.eq(a.get(0), a.subList(1, a.size()))))),
            Map.entry("ne", new Func(List.of(GoType.REFLECT, GoType.REFLECT), false,
                    a -> Val.of(!Compare.eq(a.get(0), a.subList(1, 2))))),
            Map.entry("lt", new Func(List.of(GoType.REFLECT, GoType.REFLECT), false,
                    a -> Val.of(Compare.lt(a.get(0), a.get(1))))),
            Map.entry("le", new Func(List.of(GoType.REFLECT, GoType.REFLECT), false,
                    a -> Val.of(Compare.lt(a.get(0), a.get(1)) || Compare.eq(a.get(0), a.subList(1, 2))))),
            Map.entry("gt", new Func(List.of(GoType.REFLECT, GoType.REFLECT), false,
                    a -> Val.of(!(Compare.lt(a.get(0), a.get(1)) || Compare.eq(a.get(0), a.subList(1, 2)))))),
            Map.entry("ge", new Func(List.of(GoType.REFLECT, GoType.REFLECT), false,
                    a -> Val.of(!Compare.lt(a.get(0), a.get(1))))),
            Map.entry("call", new Func(List.of(GoType.REFLECT, GoType.REFLECT), true, a -> call(a.get(0)))),
            Map.entry("html", new Func(List.of(GoType.ANY), true, a -> Val.of(Escape.html(evalArgs(a))))),
            Map.entry("js", new Func(List.of(GoType.ANY), true, a -> Val.of(Escape.js(evalArgs(a))))),
            Map.entry("urlquery", new Func(List.of(GoType.ANY), true,
                    a -> Val.of(URLEncoder.encode(evalArgs(a), StandardCharsets.UTF_8)))),
            // Docker's CLI (cli/templates/templates.go)
            Map.entry("json", new Func(List.of(GoType.ANY), false,
                    a -> Val.of(dev.berth.json.DockerJson.encodeWithoutHtmlEscaping(Fmt.plain(a.get(0))).strip()))),
            Map.entry("split", new Func(List.of(GoType.STRING, GoType.STRING), false,
                    a -> Val.strings(split(a.get(0).str(), a.get(1).str())))),
            Map.entry("join", new Func(List.of(GoType.STRINGS, GoType.STRING), false, a -> {
                List<String> parts = new ArrayList<>();
                if (!a.get(0).isNil()) {
                    a.get(0).list().forEach(e -> parts.add(e.str()));
                }
                return Val.of(String.join(a.get(1).str(), parts));
            })),
            Map.entry("title", new Func(List.of(GoType.STRING), false, a -> Val.of(title(a.get(0).str())))),
            Map.entry("lower", new Func(List.of(GoType.STRING), false,
                    a -> Val.of(a.get(0).str().toLowerCase(Locale.ROOT)))),
            Map.entry("upper", new Func(List.of(GoType.STRING), false,
                    a -> Val.of(a.get(0).str().toUpperCase(Locale.ROOT)))),
            Map.entry("pad", new Func(List.of(GoType.STRING, GoType.INT, GoType.INT), false, a -> {
                String s = a.get(0).str();
                if (s.isEmpty()) {
                    return Val.of(s);
                }
                return Val.of(" ".repeat(repeatCount(a.get(1))) + s + " ".repeat(repeatCount(a.get(2))));
            })),
            Map.entry("truncate", new Func(List.of(GoType.STRING, GoType.INT), false, a -> {
                byte[] s = a.get(0).str().getBytes(StandardCharsets.UTF_8);
                long n = a.get(1).asLong();
                if (s.length < n) {
                    return a.get(0);
                }
                if (n < 0) {
                    throw new CallError("runtime error: slice bounds out of range [:" + n + "]");
                }
                return Val.of(new String(s, 0, (int) n, StandardCharsets.UTF_8));
            })));

    /**
     * Docker's header functions: a table's header row runs the same template over the column names,
     * with the formatting functions handing their string through.
     */
    static final Map<String, Func> HEADER_FUNCS;

    static {
        Map<String, Func> m = new java.util.HashMap<>(FUNCS);
        Function<List<Val>, Val> first = a -> a.get(0);
        m.put("json", new Func(List.of(GoType.STRING), false, first));
        m.put("split", new Func(List.of(GoType.STRING, GoType.STRING), false, first));
        m.put("join", new Func(List.of(GoType.STRING, GoType.STRING), false, first));
        m.put("title", new Func(List.of(GoType.STRING), false, first));
        m.put("lower", new Func(List.of(GoType.STRING), false, first));
        m.put("upper", new Func(List.of(GoType.STRING), false, first));
        m.put("truncate", new Func(List.of(GoType.STRING, GoType.INT), false, first));
        HEADER_FUNCS = Map.copyOf(m);
    }

    private Builtins() {
    }

    private static int repeatCount(Val n) {
        if (n.asLong() < 0) {
            throw new CallError("strings: negative Repeat count");
        }
        return (int) n.asLong();
    }

    /** The value in an interface, or the value itself; nil interface: no value. */
    static Val indirectInterface(Val v) {
        if (v == null || v.kind() != GoType.Kind.IFACE) {
            return v;
        }
        return v.isNil() ? null : v.elem();
    }

    /** Follows pointers and interfaces; stops at a nil one and returns it. */
    static Val indirect(Val v) {
        while (v != null && (v.kind() == GoType.Kind.PTR || v.kind() == GoType.Kind.IFACE)) {
            if (v.isNil()) {
                return v;
            }
            v = v.elem();
        }
        return v;
    }

    private static Val length(Val item) {
        Val v = indirect(item);
        if (v == null) {
            throw new CallError("reflect: call of reflect.Value.Type on zero Value");
        }
        switch (v.kind()) {
            case PTR, IFACE -> throw new CallError("len of nil pointer");
            case SLICE -> {
                return Val.of(v.isNil() ? 0 : v.list().size());
            }
            case MAP -> {
                return Val.of(v.isNil() ? 0 : v.map().size());
            }
            case STRING -> {
                return Val.of(v.str().getBytes(StandardCharsets.UTF_8).length);
            }
            default -> throw new CallError("len of type " + v.type());
        }
    }

    private static long indexArg(Val index, int cap) {
        Val i = indirectInterface(index);
        if (i == null) {
            throw new CallError("cannot index slice/array with nil");
        }
        if (i.kind() != GoType.Kind.INT && i.kind() != GoType.Kind.UINT) {
            throw new CallError("cannot index slice/array with type " + i.type());
        }
        long x = i.asLong();
        if (x < 0 || x > cap) {
            throw new CallError("index out of range: " + x);
        }
        return x;
    }

    private static Val index(Val item, List<Val> indexes) {
        Val v = indirectInterface(item);
        if (v == null) {
            throw new CallError("index of untyped nil");
        }
        for (Val index : indexes) {
            v = indirect(v);
            if (v.kind() == GoType.Kind.PTR || v.kind() == GoType.Kind.IFACE) {
                throw new CallError("index of nil pointer");
            }
            switch (v.kind()) {
                case SLICE, STRING -> {
                    int len = v.kind() == GoType.Kind.STRING ? v.str().getBytes(StandardCharsets.UTF_8).length
                            : v.isNil() ? 0 : v.list().size();
                    long x = indexArg(index, len);
                    if (x == len) {
                        // Go 1.19 lets reflect's own bounds check report the index just past the end
                        throw new CallError("reflect: " + (v.kind() == GoType.Kind.STRING ? "string" : "slice")
                                + " index out of range");
                    }
                    v = v.kind() == GoType.Kind.STRING
                            ? new Val(GoType.UINT8, (long) (v.str().getBytes(StandardCharsets.UTF_8)[(int) x] & 0xff))
                            : v.list().get((int) x);
                }
                case MAP -> {
                    Val key = indirectInterface(index);
                    if (key == null) {
                        throw new CallError("value is nil; should be of type string");
                    }
                    if (key.kind() != GoType.Kind.STRING || key.type() != GoType.STRING) {
                        throw new CallError("value has type " + key.type() + "; should be string");
                    }
                    Val found = v.isNil() ? null : v.map().get(key.str());
                    v = found != null ? found : v.type().elem.zero();
                }
                default -> throw new CallError("can't index item of type " + v.type());
            }
        }
        return v;
    }

    private static Val slice(Val item, List<Val> indexes) {
        Val v = indirectInterface(item);
        if (v == null) {
            throw new CallError("slice of untyped nil");
        }
        if (indexes.size() > 3) {
            throw new CallError("too many slice indexes: " + indexes.size());
        }
        int cap;
        switch (v.kind()) {
            case STRING -> {
                if (indexes.size() == 3) {
                    throw new CallError("cannot 3-index slice a string");
                }
                cap = v.str().getBytes(StandardCharsets.UTF_8).length;
            }
            case SLICE -> cap = v.isNil() ? 0 : v.list().size();
            default -> throw new CallError("can't slice item of type " + v.type());
        }
        long[] idx = {0, cap};
        for (int i = 0; i < indexes.size(); i++) {
            long x = indexArg(indexes.get(i), cap);
            if (i < 2) {
                idx[i] = x;
            }
        }
        if (idx[0] > idx[1]) {
            throw new CallError("invalid slice index: " + idx[0] + " > " + idx[1]);
        }
        if (v.kind() == GoType.Kind.STRING) {
            byte[] b = v.str().getBytes(StandardCharsets.UTF_8);
            return new Val(v.type(), new String(b, (int) idx[0], (int) (idx[1] - idx[0]), StandardCharsets.UTF_8));
        }
        List<Val> l = v.isNil() ? List.of() : v.list();
        return new Val(v.type(), List.copyOf(l.subList((int) idx[0], (int) idx[1])));
    }

    private static Val call(Val fn) {
        Val f = indirectInterface(fn);
        if (f == null) {
            throw new CallError("call of nil");
        }
        throw new CallError("non-function of type " + f.type());
    }

    /** Go's evalArgs for html, js and urlquery: one string as is, anything else through fmt.Sprint. */
    private static String evalArgs(List<Val> args) {
        if (args.size() == 1 && args.get(0) != null && args.get(0).type() == GoType.STRING) {
            return args.get(0).str();
        }
        List<Val> printable = new ArrayList<>();
        for (Val a : args) {
            Val p = a != null && a.kind() == GoType.Kind.PTR ? indirect(a) : a;
            printable.add(p != null && p.kind() == GoType.Kind.PTR && p.isNil() ? p : p);
        }
        return Fmt.sprint(printable);
    }

    static List<String> split(String s, String sep) {
        List<String> parts = new ArrayList<>();
        if (sep.isEmpty()) {
            s.codePoints().forEach(c -> parts.add(new String(Character.toChars(c))));
            return parts;
        }
        int from = 0;
        int at;
        while ((at = s.indexOf(sep, from)) >= 0) {
            parts.add(s.substring(from, at));
            from = at + sep.length();
        }
        parts.add(s.substring(from));
        return parts;
    }

    /**
     * Go's deprecated {@code strings.Title}: a letter is upper-cased (title-cased) after a separator,
     * that is after an ASCII character other than a letter, digit or underscore, or after white space.
     */
    static String title(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        int prev = ' ';
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            boolean separator = prev < 0x80 ? !(Character.isLetterOrDigit(prev) || prev == '_')
                    : !Character.isLetterOrDigit(prev) && Character.isWhitespace(prev);
            sb.appendCodePoint(separator ? Character.toTitleCase(c) : c);
            prev = c;
            i += Character.charCount(c);
        }
        return sb.toString();
    }
}
