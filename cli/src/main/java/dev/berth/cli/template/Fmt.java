package dev.berth.cli.template;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Go's {@code fmt} for the values templates meet: {@code %v} printing (structs as {@code {a b}}, slices
 * as {@code [a b]}, maps as {@code map[k:v]} in key order, String methods honoured), {@code Sprint},
 * {@code Sprintln}, {@code Sprintf}; and the plain-value form {@code encoding/json} would marshal.
 *
 * <p>One thing cannot be the same: Go prints a pointer inside a struct or a slice as its address
 * ({@code 0xc000123456}); here it prints as {@code 0xc000000000}, a stand-in that is stable.
 */
final class Fmt {
    /** What a non-nil pointer prints as where Go prints a memory address. */
    static final String ADDRESS = "0xc000000000";

    private Fmt() {
    }

    /** {@code fmt.Sprint(v)} of one operand ({@code nil} operand: {@code <nil>}). */
    static String print(Val v) {
        StringBuilder sb = new StringBuilder();
        value(sb, v, 'v', 0);
        return sb.toString();
    }

    static void value(StringBuilder sb, Val v, char verb, int depth) {
        if (v == null) {
            sb.append("<nil>");
            return;
        }
        if (v.type().stringer != null && !(v.kind() == GoType.Kind.PTR && v.isNil())) {
            sb.append(v.type().stringer.apply(v));
            return;
        }
        switch (v.kind()) {
            case BOOL -> sb.append(v.v());
            case INT, UINT -> sb.append(verb == 'x' ? Long.toHexString(v.asLong()) : Long.toString(v.asLong()));
            case FLOAT -> sb.append(formatFloat((Double) v.v()));
            case STRING -> sb.append(v.str());
            case SLICE -> {
                sb.append('[');
                List<Val> l = v.isNil() ? List.of() : v.list();
                for (int i = 0; i < l.size(); i++) {
                    if (i > 0) {
                        sb.append(' ');
                    }
                    value(sb, l.get(i), verb, depth + 1);
                }
                sb.append(']');
            }
            case MAP -> {
                sb.append("map[");
                boolean first = true;
                for (Map.Entry<String, Val> e : v.isNil() ? Map.<String, Val>of().entrySet()
                        : new TreeMap<>(v.map()).entrySet()) {
                    if (!first) {
                        sb.append(' ');
                    }
                    first = false;
                    sb.append(e.getKey()).append(':');
                    value(sb, e.getValue(), verb, depth + 1);
                }
                sb.append(']');
            }
            case STRUCT -> {
                sb.append('{');
                boolean first = true;
                for (Val f : v.map().values()) {
                    if (!first) {
                        sb.append(' ');
                    }
                    first = false;
                    value(sb, f, verb, depth + 1);
                }
                sb.append('}');
            }
            case PTR -> {
                if (v.isNil()) {
                    sb.append("<nil>");
                } else if (depth == 0 && (v.elem().kind() == GoType.Kind.STRUCT || v.elem().kind() == GoType.Kind.SLICE
                        || v.elem().kind() == GoType.Kind.MAP)) {
                    sb.append('&');
                    value(sb, v.elem(), verb, depth + 1);
                } else {
                    sb.append(ADDRESS);
                }
            }
            case IFACE -> value(sb, v.elem(), verb, depth);
            case REFLECT -> sb.append("<reflect.Value>");
        }
    }

    /** {@code strconv.FormatFloat(f, 'g', -1, 64)}, as {@code %v} prints a float64. */
    static String formatFloat(double f) {
        if (Double.isNaN(f)) {
            return "NaN";
        }
        if (Double.isInfinite(f)) {
            return f > 0 ? "+Inf" : "-Inf";
        }
        if (f == 0) {
            return 1 / f < 0 ? "-0" : "0";
        }
        BigDecimal d = new BigDecimal(Double.toString(f)).stripTrailingZeros();
        int exp = d.precision() - d.scale() - 1;
        // shortest 'g' switches to an exponent at 1e-5 and at 1e+06, whatever the digits
        return exp < -4 || exp >= 6 ? scientific(d, exp) : d.toPlainString();
    }

    private static String scientific(BigDecimal d, int exp) {
        String digits = d.unscaledValue().abs().toString();
        String mantissa = digits.length() > 1 ? digits.charAt(0) + "." + digits.substring(1) : digits;
        return (d.signum() < 0 ? "-" : "") + mantissa + "e" + (exp < 0 ? "-" : "+") + String.format("%02d", Math.abs(exp));
    }

    /** {@code fmt.Sprint}: a space between operands when neither is a string. */
    static String sprint(List<Val> args) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < args.size(); i++) {
            if (i > 0 && !isString(args.get(i)) && !isString(args.get(i - 1))) {
                sb.append(' ');
            }
            value(sb, args.get(i), 'v', 0);
        }
        return sb.toString();
    }

    static String sprintln(List<Val> args) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < args.size(); i++) {
            if (i > 0) {
                sb.append(' ');
            }
            value(sb, args.get(i), 'v', 0);
        }
        return sb.append('\n').toString();
    }

    private static boolean isString(Val v) {
        return v != null && v.kind() == GoType.Kind.STRING;
    }

    static String typeName(Val v) {
        return v == null ? "<nil>" : v.type().name;
    }

    /** {@code fmt.Sprintf} for flags {@code -+# 0}, width, precision and the verbs scripts use. */
    static String sprintf(String format, List<Val> args) {
        StringBuilder sb = new StringBuilder();
        int argi = 0;
        int i = 0;
        while (i < format.length()) {
            char c = format.charAt(i++);
            if (c != '%') {
                sb.append(c);
                continue;
            }
            boolean minus = false;
            boolean plus = false;
            boolean zero = false;
            boolean sharp = false;
            boolean space = false;
            for (; i < format.length(); i++) {
                char f = format.charAt(i);
                if (f == '-') {
                    minus = true;
                } else if (f == '+') {
                    plus = true;
                } else if (f == '0') {
                    zero = true;
                } else if (f == '#') {
                    sharp = true;
                } else if (f == ' ') {
                    space = true;
                } else {
                    break;
                }
            }
            int width = -1;
            int start = i;
            i = digitsEnd(format, i);
            if (i > start) {
                width = parseNum(format, start, i);
                if (width < 0) { // Go's parsenum: a crazy long number ends the format
                    sb.append("%!(NOVERB)");
                    break;
                }
            }
            int precision = -1;
            if (i < format.length() && format.charAt(i) == '.') {
                i++;
                start = i;
                i = digitsEnd(format, i);
                precision = i > start ? parseNum(format, start, i) : 0;
                if (precision < 0) {
                    sb.append("%!(NOVERB)");
                    break;
                }
            }
            if (i >= format.length()) {
                sb.append("%!(NOVERB)");
                break;
            }
            char verb = format.charAt(i++);
            if (verb == '%') {
                sb.append('%');
                continue;
            }
            if (argi >= args.size()) {
                sb.append("%!").append(verb).append("(MISSING)");
                continue;
            }
            Val arg = args.get(argi++);
            String s = verb(arg, verb, precision, plus, sharp, space);
            if (width > 0 && s.codePointCount(0, s.length()) < width) {
                int pad = width - s.codePointCount(0, s.length());
                boolean numeric = arg != null && (arg.kind() == GoType.Kind.INT || arg.kind() == GoType.Kind.UINT
                        || arg.kind() == GoType.Kind.FLOAT) && "dxXfFeEgGvb".indexOf(verb) >= 0;
                if (minus) {
                    s = s + " ".repeat(pad);
                } else if (zero && numeric) {
                    boolean signed = s.startsWith("-") || s.startsWith("+");
                    s = signed ? s.charAt(0) + "0".repeat(pad) + s.substring(1) : "0".repeat(pad) + s;
                } else {
                    s = (zero ? "0" : " ").repeat(pad) + s;
                }
            }
            sb.append(s);
        }
        if (argi < args.size()) {
            sb.append("%!(EXTRA ");
            for (int k = argi; k < args.size(); k++) {
                if (k > argi) {
                    sb.append(", ");
                }
                Val a = args.get(k);
                sb.append(typeName(a)).append('=');
                value(sb, a, 'v', 0);
            }
            sb.append(')');
        }
        return sb.toString();
    }

    private static int digitsEnd(String format, int i) {
        while (i < format.length() && format.charAt(i) >= '0' && format.charAt(i) <= '9') {
            i++;
        }
        return i;
    }

    /**
     * A width or precision as Go's {@code parsenum} reads it: -1 once the number so far exceeds 1e6
     * before another digit (Go then ends the format), which also keeps a template from asking for
     * gigabytes of padding.
     */
    private static int parseNum(String format, int start, int end) {
        int num = 0;
        for (int i = start; i < end; i++) {
            if (num > 1_000_000) {
                return -1;
            }
            num = num * 10 + (format.charAt(i) - '0');
        }
        return num;
    }

    private static String verb(Val arg, char verb, int precision, boolean plus, boolean sharp, boolean space) {
        GoType.Kind k = arg == null ? null : arg.kind();
        if (verb == 'T') {
            return typeName(arg);
        }
        if (verb == 'v' && k != GoType.Kind.FLOAT) {
            if (plus && k == GoType.Kind.STRUCT) {
                StringBuilder sb = new StringBuilder("{");
                boolean first = true;
                for (Map.Entry<String, Val> e : arg.map().entrySet()) {
                    sb.append(first ? "" : " ").append(e.getKey()).append(':');
                    value(sb, e.getValue(), 'v', 1);
                    first = false;
                }
                return sb.append('}').toString();
            }
            return print(arg);
        }
        if (arg != null && arg.type().stringer != null && "sqvxX".indexOf(verb) >= 0) {
            return stringVerb(arg.type().stringer.apply(arg), verb, precision, sharp);
        }
        if (k == GoType.Kind.STRING && "sqxX".indexOf(verb) >= 0) {
            return stringVerb(arg.str(), verb, precision, sharp);
        }
        if ((k == GoType.Kind.INT || k == GoType.Kind.UINT) && "dbocxXqU".indexOf(verb) >= 0) {
            long n = arg.asLong();
            String s = switch (verb) {
                case 'd' -> Long.toString(n);
                case 'b' -> Long.toBinaryString(n);
                case 'o' -> Long.toOctalString(n);
                case 'x' -> (n < 0 ? "-" : "") + Long.toHexString(Math.abs(n));
                case 'X' -> (n < 0 ? "-" : "") + Long.toHexString(Math.abs(n)).toUpperCase(Locale.ROOT);
                case 'c' -> new String(Character.toChars(rune(n)));
                case 'q' -> "'" + new String(Character.toChars(rune(n))) + "'";
                default -> String.format("U+%04X", n);
            };
            return plus && n >= 0 && verb == 'd' ? "+" + s : space && n >= 0 && verb == 'd' ? " " + s : s;
        }
        if (k == GoType.Kind.FLOAT && "vfFeEgG".indexOf(verb) >= 0) {
            double f = (Double) arg.v();
            String s = switch (verb) {
                case 'v', 'g', 'G' -> precision < 0 ? formatFloat(f) : String.format(Locale.ROOT, "%." + precision + "g", f);
                case 'e', 'E' -> goExponent(String.format(Locale.ROOT, "%." + (precision < 0 ? 6 : precision) + "e", f));
                default -> String.format(Locale.ROOT, "%." + (precision < 0 ? 6 : precision) + "f", f);
            };
            return plus && f >= 0 ? "+" + s : s;
        }
        if (k == GoType.Kind.BOOL && verb == 't') {
            return arg.v().toString();
        }
        if ((k == GoType.Kind.SLICE) && "sqdxX".indexOf(verb) >= 0) {
            StringBuilder sb = new StringBuilder("[");
            List<Val> l = arg.isNil() ? List.of() : arg.list();
            for (int n = 0; n < l.size(); n++) {
                sb.append(n > 0 ? " " : "").append(verb(l.get(n), verb, precision, plus, sharp, space));
            }
            return sb.append(']').toString();
        }
        if (k == GoType.Kind.STRUCT && "sqdxX".indexOf(verb) >= 0) {
            StringBuilder sb = new StringBuilder("{");
            boolean first = true;
            for (Val f : arg.map().values()) {
                sb.append(first ? "" : " ").append(verb(f, verb, precision, plus, sharp, space));
                first = false;
            }
            return sb.append('}').toString();
        }
        if (k == GoType.Kind.IFACE) {
            return verb(arg.elem(), verb, precision, plus, sharp, space);
        }
        if (arg == null) {
            return "%!" + verb + "(<nil>)";
        }
        return "%!" + verb + "(" + typeName(arg) + "=" + print(arg) + ")";
    }

    private static String goExponent(String javaE) {
        // Java writes e+5 where Go writes e+05; both use at least two exponent digits otherwise
        int e = javaE.indexOf('e');
        String exp = javaE.substring(e + 2);
        return javaE.substring(0, e + 2) + (exp.length() < 2 ? "0" + exp : exp);
    }

    private static String stringVerb(String s, char verb, int precision, boolean sharp) {
        if (precision >= 0 && s.codePointCount(0, s.length()) > precision) {
            s = s.substring(0, s.offsetByCodePoints(0, precision));
        }
        return switch (verb) {
            case 'q' -> sharp && !s.contains("`") ? "`" + s + "`" : Quote.go(s);
            case 'x', 'X' -> {
                StringBuilder sb = new StringBuilder();
                for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
                    sb.append(String.format(verb == 'x' ? "%02x" : "%02X", b & 0xff));
                }
                yield sb.toString();
            }
            default -> s;
        };
    }

    /**
     * The value as plain Java values for {@code json.Marshal}: structs by their JSON names (omitempty
     * honoured), maps in key order, nil as {@code null}.
     */
    static Object plain(Val v) {
        if (v == null || v.isNil()) {
            return null;
        }
        if (v.type().marshal != null) {
            return v.type().marshal.apply(v);
        }
        if (v.type() == GoType.JSON_NUMBER) {
            return new BigDecimal(v.str());
        }
        return switch (v.kind()) {
            case BOOL, STRING -> v.v();
            case INT, UINT -> BigDecimal.valueOf(v.asLong());
            case FLOAT -> new BigDecimal(Double.toString((Double) v.v())).stripTrailingZeros();
            case SLICE -> {
                List<Object> l = new ArrayList<>();
                v.list().forEach(e -> l.add(plain(e)));
                yield l;
            }
            case MAP -> {
                Map<String, Object> m = new TreeMap<>();
                v.map().forEach((k, e) -> m.put(k, plain(e)));
                yield m;
            }
            case STRUCT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                for (GoType.Field f : v.type().fields.values()) {
                    Val fv = v.map().get(f.name());
                    if (!f.omitEmpty() || !empty(fv)) {
                        m.put(f.json(), plain(fv));
                    }
                }
                yield m;
            }
            case PTR, IFACE -> plain(v.elem());
            case REFLECT -> null;
        };
    }

    private static boolean empty(Val v) {
        if (v == null || v.isNil()) {
            return true;
        }
        return switch (v.kind()) {
            case BOOL -> !(Boolean) v.v();
            case INT, UINT -> v.asLong() == 0;
            case FLOAT -> (Double) v.v() == 0;
            case STRING -> v.str().isEmpty();
            case SLICE -> v.list().isEmpty();
            case MAP -> v.map().isEmpty();
            default -> false;
        };
    }

    /**
     * The rune Go's {@code %c} and {@code %q} print for an integer: itself when it is a Unicode scalar value,
     * else U+FFFD (a negative value is a huge unsigned one to Go, past {@code utf8.MaxRune}).
     */
    static int rune(long n) {
        boolean valid = n >= 0 && n <= Character.MAX_CODE_POINT && (n < Character.MIN_SURROGATE || n > Character.MAX_SURROGATE);
        return valid ? (int) n : 0xFFFD;
    }
}
