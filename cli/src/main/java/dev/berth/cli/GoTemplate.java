package dev.berth.cli;

import dev.berth.internal.gojson.GoJsonWriter;
import dev.berth.internal.json.Json;
import dev.berth.internal.json.JsonObject;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The part of Go's {@code text/template} that scripts use with {@code docker plugin ls --format} and
 * {@code docker plugin inspect --format}, evaluated over a JSON tree ({@link Json#parse}).
 *
 * <p>Supported: text and actions, with {@code {{-}} and {@code -}}} trimming; comments; fields
 * ({@code .}, {@code .Config.Description}, {@code $}); string, number and boolean literals; parentheses;
 * pipelines ({@code .Name | upper}); {@code if}/{@code else}/{@code end}, {@code with} and {@code range}
 * (over lists); the functions Docker's CLI adds ({@code json}, {@code join}, {@code split}, {@code upper},
 * {@code lower}, {@code title}, {@code truncate}, {@code pad}) and Go's {@code print}, {@code println},
 * {@code printf} (verbs {@code %s %v %d %q %%}), {@code len}, {@code index}, {@code eq}, {@code ne},
 * {@code not}, {@code and}, {@code or}. Not supported: variables other than {@code $}, {@code define},
 * {@code template}, {@code block}, comparisons other than eq and ne.
 *
 * <p>Fields are the Engine API's JSON names, matched without case as Go's field names map onto them
 * ({@code .ID} finds {@code "Id"}), plus {@code .DiffIds} for {@code "diff_ids"}; the fields the API omits
 * when empty ({@code UID}, {@code GID}, {@code DockerVersion}, ...) read as Go's zero values. An unknown
 * field is an error, as it is for Docker's structs. A JSON null prints as {@code []}: in these documents
 * it is a nil list. One known difference: a struct printed whole ({@code {{.Config.User}}}) shows only the
 * fields its JSON has, where Go shows zero values too; {@code json} output is identical. Immutable.
 */
final class GoTemplate {
    /** A template that cannot be parsed or executed; the message reads like Go's. */
    static final class TemplateException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TemplateException(String message) {
            super(message);
        }
    }

    private sealed interface Node permits Text, Action, Branch, Range {
    }

    private record Text(String text) implements Node {
    }

    private record Action(Expr pipeline) implements Node {
    }

    /** {@code if} or {@code with}: {@code with} also moves dot to the value. */
    private record Branch(boolean with, Expr pipeline, List<Node> then, List<Node> otherwise) implements Node {
    }

    private record Range(Expr pipeline, List<Node> body, List<Node> otherwise) implements Node {
    }

    private sealed interface Expr permits Literal, Field, Call, Pipe {
    }

    private record Literal(Object value) implements Expr {
    }

    /** A field chain from dot ({@code root} false) or from {@code $}. */
    private record Field(boolean root, List<String> names) implements Expr {
    }

    private record Call(String function, List<Expr> args) implements Expr {
    }

    /** {@code first | second | ...}: each later stage gets the value before as its last argument. */
    private record Pipe(List<Expr> stages) implements Expr {
    }

    private static final List<String> FUNCTIONS = List.of("json", "join", "split", "upper", "lower", "title",
            "truncate", "pad", "print", "println", "printf", "len", "index", "eq", "ne", "not", "and", "or");

    /** The Engine API's omitempty fields of types.Plugin and what Go holds when they are absent. */
    private static final Map<String, Object> OMITTED_WHEN_EMPTY = Map.of("ID", "", "PluginReference", "",
            "DockerVersion", "", "ProtocolScheme", "", "Type", "", "UID", BigDecimal.ZERO, "GID", BigDecimal.ZERO,
            "Rootfs", Json.NULL);

    private final List<Node> nodes;

    private GoTemplate(List<Node> nodes) {
        this.nodes = nodes;
    }

    /**
     * Parses a template. As Docker's CLI does, the two-character sequences {@code \t} and {@code \n}
     * become a tab and a newline first.
     *
     * @throws TemplateException for a syntax error or an unknown function
     */
    static GoTemplate parse(String text) {
        String source = text.replace("\\t", "\t").replace("\\n", "\n");
        Parser p = new Parser(lex(source));
        List<Node> nodes = p.nodes();
        if (p.pos < p.items.size()) {
            throw new TemplateException("template: unexpected {{" + p.items.get(p.pos).text + "}}");
        }
        return new GoTemplate(nodes);
    }

    /**
     * Executes the template with dot (and {@code $}) set to {@code data}.
     *
     * @throws TemplateException for an unknown field or a function given the wrong arguments
     */
    String execute(Object data) {
        StringBuilder out = new StringBuilder();
        run(nodes, data, data, out);
        return out.toString();
    }

    // --- lexing: text and action items, trim markers applied ---

    private record Item(boolean action, String text) {
    }

    private static List<Item> lex(String s) {
        List<Item> items = new ArrayList<>();
        int i = 0;
        boolean trimNext = false;
        while (i < s.length()) {
            int open = s.indexOf("{{", i);
            String text = open < 0 ? s.substring(i) : s.substring(i, open);
            if (trimNext) {
                text = text.stripLeading();
            }
            if (open < 0) {
                items.add(new Item(false, text));
                break;
            }
            int start = open + 2;
            if (s.startsWith("- ", start) || s.startsWith("-\t", start) || s.startsWith("-\n", start)) {
                text = text.stripTrailing();
                start += 2;
            }
            items.add(new Item(false, text));
            int close = findClose(s, start);
            if (close < 0) {
                throw new TemplateException("template: unclosed action");
            }
            int end = close;
            trimNext = false;
            if (end - 2 >= start && s.charAt(end - 1) == '-' && Character.isWhitespace(s.charAt(end - 2))) {
                end -= 2;
                trimNext = true;
            }
            String action = s.substring(start, end).strip();
            if (!(action.startsWith("/*") && action.endsWith("*/"))) {
                items.add(new Item(true, action));
            }
            i = close + 2;
        }
        return items;
    }

    /** The index of the {@code }}} closing an action, skipping quoted strings; -1 if none. */
    private static int findClose(String s, int from) {
        char quote = 0;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == '\\' && quote == '"') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '`') {
                quote = c;
            } else if (c == '}' && i + 1 < s.length() && s.charAt(i + 1) == '}') {
                return i;
            }
        }
        return -1;
    }

    // --- parsing: items into nodes, actions into expressions ---

    private static final class Parser {
        final List<Item> items;
        int pos;

        Parser(List<Item> items) {
            this.items = items;
        }

        /** Nodes until the end, or until an {@code else} or {@code end} item (left unconsumed). */
        List<Node> nodes() {
            List<Node> out = new ArrayList<>();
            while (pos < items.size()) {
                Item item = items.get(pos);
                if (!item.action()) {
                    if (!item.text().isEmpty()) {
                        out.add(new Text(item.text()));
                    }
                    pos++;
                    continue;
                }
                String a = item.text();
                String keyword = a.split("\\s+", 2)[0];
                switch (keyword) {
                    case "else", "end" -> {
                        return out;
                    }
                    case "if", "with", "range" -> {
                        pos++;
                        out.add(block(keyword, expression(a.substring(keyword.length()))));
                    }
                    case "define", "template", "block" ->
                            throw new TemplateException("template: {{" + keyword + "}} is not supported");
                    default -> {
                        out.add(new Action(expression(a)));
                        pos++;
                    }
                }
            }
            return out;
        }

        /**
         * The rest of an {@code if}, {@code with} or {@code range} whose action was consumed: its body, an
         * optional {@code else} (or {@code else if}/{@code else with}, which share the closing end), and
         * the {@code end}.
         */
        Node block(String keyword, Expr pipeline) {
            List<Node> body = nodes();
            List<Node> otherwise = List.of();
            String next = pos < items.size() ? items.get(pos).text() : "";
            boolean chained = false;
            if (next.equals("else")) {
                pos++;
                otherwise = nodes();
            } else if ((next.startsWith("else if ") || next.startsWith("else with ")) && !keyword.equals("range")) {
                pos++;
                String inner = next.substring("else ".length()).strip();
                String innerKeyword = inner.split("\\s+", 2)[0];
                otherwise = List.of(block(innerKeyword, expression(inner.substring(innerKeyword.length()))));
                chained = true; // the inner block took the shared end
            }
            if (!chained) {
                if (pos >= items.size() || !items.get(pos).text().equals("end")) {
                    throw new TemplateException("template: unexpected EOF: " + keyword + " without {{end}}");
                }
                pos++;
            }
            return keyword.equals("range") ? new Range(pipeline, body, otherwise)
                    : new Branch(keyword.equals("with"), pipeline, body, otherwise);
        }
    }

    private static Expr expression(String text) {
        ExprParser p = new ExprParser(text);
        Expr e = p.pipeline();
        p.skipSpace();
        if (p.i < text.length()) {
            throw new TemplateException("template: unexpected \"" + text.substring(p.i) + "\" in action");
        }
        return e;
    }

    private static final class ExprParser {
        final String s;
        int i;

        ExprParser(String s) {
            this.s = s;
        }

        void skipSpace() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        Expr pipeline() {
            List<Expr> stages = new ArrayList<>();
            stages.add(command());
            skipSpace();
            while (i < s.length() && s.charAt(i) == '|') {
                i++;
                Expr next = command();
                if (!(next instanceof Call)) {
                    throw new TemplateException("template: non-function in pipeline");
                }
                stages.add(next);
                skipSpace();
            }
            return stages.size() == 1 ? stages.get(0) : new Pipe(stages);
        }

        Expr command() {
            skipSpace();
            int start = i;
            while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) {
                i++;
            }
            String word = s.substring(start, i);
            if (!word.isEmpty() && Character.isLetter(word.charAt(0)) && !word.equals("true")
                    && !word.equals("false") && !word.equals("nil")) {
                if (!FUNCTIONS.contains(word)) {
                    throw new TemplateException("template: function \"" + word + "\" not defined");
                }
                List<Expr> args = new ArrayList<>();
                while (true) {
                    skipSpace();
                    if (i >= s.length() || s.charAt(i) == '|' || s.charAt(i) == ')') {
                        break;
                    }
                    args.add(operand());
                }
                return new Call(word, args);
            }
            i = start;
            Expr e = operand();
            skipSpace();
            if (i < s.length() && s.charAt(i) != '|' && s.charAt(i) != ')') {
                throw new TemplateException("template: can't give argument to non-function " + s.substring(start, i).strip());
            }
            return e;
        }

        Expr operand() {
            skipSpace();
            if (i >= s.length()) {
                throw new TemplateException("template: missing value");
            }
            char c = s.charAt(i);
            if (c == '(') {
                i++;
                Expr inner = pipeline();
                skipSpace();
                if (i >= s.length() || s.charAt(i) != ')') {
                    throw new TemplateException("template: unclosed left paren");
                }
                i++;
                return inner;
            }
            if (c == '.' || c == '$') {
                boolean root = c == '$';
                if (root) {
                    i++;
                }
                List<String> names = new ArrayList<>();
                while (i < s.length() && s.charAt(i) == '.') {
                    i++;
                    int start = i;
                    while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) {
                        i++;
                    }
                    if (start == i) {
                        if (!names.isEmpty() || root) {
                            throw new TemplateException("template: bad field name");
                        }
                        break; // plain dot
                    }
                    names.add(s.substring(start, i));
                }
                return new Field(root, names);
            }
            if (c == '"') {
                StringBuilder sb = new StringBuilder();
                i++;
                while (i < s.length() && s.charAt(i) != '"') {
                    char ch = s.charAt(i++);
                    if (ch == '\\' && i < s.length()) {
                        char e = s.charAt(i++);
                        sb.append(switch (e) {
                            case 'n' -> '\n';
                            case 't' -> '\t';
                            case 'r' -> '\r';
                            default -> e;
                        });
                    } else {
                        sb.append(ch);
                    }
                }
                if (i >= s.length()) {
                    throw new TemplateException("template: unterminated quoted string");
                }
                i++;
                return new Literal(sb.toString());
            }
            if (c == '`') {
                int end = s.indexOf('`', i + 1);
                if (end < 0) {
                    throw new TemplateException("template: unterminated raw quoted string");
                }
                String raw = s.substring(i + 1, end);
                i = end + 1;
                return new Literal(raw);
            }
            int start = i;
            while (i < s.length() && !Character.isWhitespace(s.charAt(i)) && s.charAt(i) != '|' && s.charAt(i) != ')') {
                i++;
            }
            String word = s.substring(start, i);
            switch (word) {
                case "true", "false" -> {
                    return new Literal(Boolean.valueOf(word));
                }
                case "nil" -> {
                    return new Literal(Json.NULL);
                }
                default -> {
                    try {
                        return new Literal(new BigDecimal(word));
                    } catch (NumberFormatException e) {
                        throw new TemplateException("template: unexpected \"" + word + "\" in operand");
                    }
                }
            }
        }
    }

    // --- execution ---

    private static void run(List<Node> nodes, Object dot, Object root, StringBuilder out) {
        for (Node n : nodes) {
            if (n instanceof Text t) {
                out.append(t.text());
            } else if (n instanceof Action a) {
                out.append(print(eval(a.pipeline(), dot, root)));
            } else if (n instanceof Branch b) {
                Object v = eval(b.pipeline(), dot, root);
                if (truthy(v)) {
                    run(b.then(), b.with() ? v : dot, root, out);
                } else {
                    run(b.otherwise(), dot, root, out);
                }
            } else if (n instanceof Range r) {
                Object v = eval(r.pipeline(), dot, root);
                List<?> elements = v == Json.NULL ? List.of() : asList(v, "range can't iterate over " + print(v));
                if (elements.isEmpty()) {
                    run(r.otherwise(), dot, root, out);
                }
                for (Object e : elements) {
                    run(r.body(), e, root, out);
                }
            }
        }
    }

    private static Object eval(Expr e, Object dot, Object root) {
        if (e instanceof Literal l) {
            return l.value();
        }
        if (e instanceof Field f) {
            Object v = f.root() ? root : dot;
            for (String name : f.names()) {
                v = field(v, name);
            }
            return v;
        }
        if (e instanceof Call c) {
            List<Object> args = new ArrayList<>();
            for (Expr a : c.args()) {
                args.add(eval(a, dot, root));
            }
            return call(c.function(), args);
        }
        Pipe p = (Pipe) e;
        Object v = eval(p.stages().get(0), dot, root);
        for (int k = 1; k < p.stages().size(); k++) {
            Call c = (Call) p.stages().get(k);
            List<Object> args = new ArrayList<>();
            for (Expr a : c.args()) {
                args.add(eval(a, dot, root));
            }
            args.add(v);
            v = call(c.function(), args);
        }
        return v;
    }

    private static Object field(Object v, String name) {
        if (!(v instanceof JsonObject o)) {
            throw new TemplateException("template: can't evaluate field " + name + " in " + kind(v));
        }
        if (o.has(name)) {
            return o.get(name);
        }
        // Go field names that the Engine API spells otherwise in JSON
        String json = name.equals("DiffIds") ? "diff_ids" : null;
        if (json != null && o.has(json)) {
            return o.get(json);
        }
        // fields the Engine API omits when empty ("omitempty"): Go still has them, at their zero value
        Object zero = OMITTED_WHEN_EMPTY.get(name);
        if (zero != null) {
            return zero;
        }
        throw new TemplateException("template: can't evaluate field " + name);
    }

    private static Object call(String function, List<Object> a) {
        return switch (function) {
            case "json" -> {
                arity(function, a, 1);
                yield GoJsonWriter.withoutHtmlEscaping().tree(a.get(0)).toString();
            }
            case "join" -> {
                arity(function, a, 2);
                List<String> parts = new ArrayList<>();
                for (Object o : asList(a.get(0), "join needs a list")) {
                    parts.add(print(o));
                }
                yield String.join(print(a.get(1)), parts);
            }
            case "split" -> {
                arity(function, a, 2);
                yield new ArrayList<Object>(List.of(splitAll(print(a.get(0)), print(a.get(1)))));
            }
            case "upper" -> print(single(function, a)).toUpperCase(Locale.ROOT);
            case "lower" -> print(single(function, a)).toLowerCase(Locale.ROOT);
            case "title" -> title(print(single(function, a)));
            case "truncate" -> {
                arity(function, a, 2);
                String s = print(a.get(0));
                int n = integer(a.get(1));
                yield s.length() < n ? s : s.substring(0, Math.max(0, n));
            }
            case "pad" -> {
                arity(function, a, 3);
                yield " ".repeat(Math.max(0, integer(a.get(1)))) + print(a.get(0))
                        + " ".repeat(Math.max(0, integer(a.get(2))));
            }
            case "print" -> goPrint(a, false);
            case "println" -> goPrint(a, true);
            case "printf" -> printf(a);
            case "len" -> {
                Object v = single(function, a);
                long n = v instanceof String s ? s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                        : v instanceof JsonObject o ? o.keys().size() : asList(v, "len of " + kind(v)).size();
                yield BigDecimal.valueOf(n);
            }
            case "index" -> {
                if (a.isEmpty()) {
                    throw new TemplateException("template: wrong number of args for index");
                }
                Object v = a.get(0);
                for (Object key : a.subList(1, a.size())) {
                    if (v instanceof JsonObject o) {
                        v = o.get(print(key));
                    } else {
                        List<?> list = asList(v, "can't index item of " + kind(v));
                        int k = integer(key);
                        if (k < 0 || k >= list.size()) {
                            throw new TemplateException("template: error calling index: index out of range: " + k);
                        }
                        v = list.get(k);
                    }
                }
                yield v;
            }
            case "eq" -> {
                if (a.size() < 2) {
                    throw new TemplateException("template: missing argument for comparison");
                }
                boolean any = false;
                for (Object other : a.subList(1, a.size())) {
                    any |= same(a.get(0), other);
                }
                yield any;
            }
            case "ne" -> {
                arity(function, a, 2);
                yield !same(a.get(0), a.get(1));
            }
            case "not" -> !truthy(single(function, a));
            case "and" -> {
                Object last = Boolean.TRUE;
                for (Object v : a) {
                    last = v;
                    if (!truthy(v)) {
                        break;
                    }
                }
                yield last;
            }
            case "or" -> {
                Object last = Boolean.FALSE;
                for (Object v : a) {
                    last = v;
                    if (truthy(v)) {
                        break;
                    }
                }
                yield last;
            }
            default -> throw new TemplateException("template: function \"" + function + "\" not defined");
        };
    }

    private static void arity(String function, List<Object> a, int n) {
        if (a.size() != n) {
            throw new TemplateException("template: wrong number of args for " + function + ": want " + n + " got "
                    + a.size());
        }
    }

    private static Object single(String function, List<Object> a) {
        arity(function, a, 1);
        return a.get(0);
    }

    private static int integer(Object v) {
        if (v instanceof BigDecimal d) {
            try {
                return d.intValueExact();
            } catch (ArithmeticException e) {
                throw new TemplateException("template: " + d + " is not an int");
            }
        }
        throw new TemplateException("template: expected an integer; found " + print(v));
    }

    private static List<?> asList(Object v, String message) {
        if (v instanceof List<?> l) {
            return l;
        }
        if (v == Json.NULL) {
            return List.of();
        }
        throw new TemplateException("template: " + message);
    }

    private static String[] splitAll(String s, String sep) {
        if (sep.isEmpty()) {
            return s.codePoints().mapToObj(Character::toString).toArray(String[]::new);
        }
        List<String> parts = new ArrayList<>();
        int from = 0;
        int at;
        while ((at = s.indexOf(sep, from)) >= 0) {
            parts.add(s.substring(from, at));
            from = at + sep.length();
        }
        parts.add(s.substring(from));
        return parts.toArray(String[]::new);
    }

    /** Go's deprecated {@code strings.Title}: the first letter of each space-separated word upper-cased. */
    private static String title(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        boolean start = true;
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            sb.append(start ? Character.toTitleCase(c) : c);
            start = !Character.isLetterOrDigit(c) && c != '_' && c != '\'';
        }
        return sb.toString();
    }

    /** {@code fmt.Sprint} (spaces only between operands that are not strings) or {@code fmt.Sprintln}. */
    private static String goPrint(List<Object> a, boolean line) {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < a.size(); k++) {
            boolean bothNonString = k > 0 && !(a.get(k) instanceof String) && !(a.get(k - 1) instanceof String);
            if (k > 0 && (line || bothNonString)) {
                sb.append(' ');
            }
            sb.append(print(a.get(k)));
        }
        return line ? sb.append('\n').toString() : sb.toString();
    }

    private static String printf(List<Object> a) {
        if (a.isEmpty()) {
            throw new TemplateException("template: wrong number of args for printf");
        }
        String format = print(a.get(0));
        StringBuilder sb = new StringBuilder();
        int next = 1;
        for (int k = 0; k < format.length(); k++) {
            char c = format.charAt(k);
            if (c != '%' || k + 1 >= format.length()) {
                sb.append(c);
                continue;
            }
            char verb = format.charAt(++k);
            if (verb == '%') {
                sb.append('%');
                continue;
            }
            if (next >= a.size()) {
                sb.append("%!").append(verb).append("(MISSING)");
                continue;
            }
            Object v = a.get(next++);
            switch (verb) {
                case 's', 'v', 'd' -> sb.append(print(v));
                case 'q' -> sb.append(GoJsonWriter.withoutHtmlEscaping().value(print(v)));
                default -> sb.append("%!").append(verb).append('(').append(print(v)).append(')');
            }
        }
        return sb.toString();
    }

    private static boolean same(Object x, Object y) {
        if (x instanceof BigDecimal a && y instanceof BigDecimal b) {
            return a.compareTo(b) == 0;
        }
        if (x instanceof JsonObject || x instanceof List || y instanceof JsonObject || y instanceof List) {
            throw new TemplateException("template: incompatible types for comparison");
        }
        return x.equals(y);
    }

    private static boolean truthy(Object v) {
        if (v == Json.NULL) {
            return false;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof String s) {
            return !s.isEmpty();
        }
        if (v instanceof BigDecimal d) {
            return d.signum() != 0;
        }
        if (v instanceof List<?> l) {
            return !l.isEmpty();
        }
        return true; // an object, as a non-nil struct
    }

    /** How Go's {@code fmt} prints a value with {@code %v}: structs as {@code {a b}}, lists as {@code [a b]}. */
    static String print(Object v) {
        if (v == Json.NULL) {
            return "[]";
        }
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof BigDecimal d) {
            return d.toPlainString();
        }
        if (v instanceof List<?> l) {
            List<String> parts = new ArrayList<>();
            l.forEach(e -> parts.add(print(e)));
            return "[" + String.join(" ", parts) + "]";
        }
        if (v instanceof JsonObject o) {
            List<String> parts = new ArrayList<>();
            for (Map.Entry<String, Object> e : o.entries().entrySet()) {
                parts.add(print(e.getValue()));
            }
            return "{" + String.join(" ", parts) + "}";
        }
        return String.valueOf(v);
    }

    private static String kind(Object v) {
        if (v instanceof List) {
            return "a list";
        }
        if (v instanceof String) {
            return "a string";
        }
        if (v == Json.NULL) {
            return "nil";
        }
        return v instanceof JsonObject ? "an object" : "a " + v.getClass().getSimpleName().toLowerCase(Locale.ROOT);
    }
}
