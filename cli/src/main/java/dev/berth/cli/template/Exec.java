package dev.berth.cli.template;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One execution of a template: Go's {@code text/template} exec.go, step for step, so that values,
 * truth, variable scopes and the node an error is reported at are Go's.
 *
 * <p>One class, although long, because it mirrors one Go file: walking nodes, evaluating pipelines and
 * commands, and calling functions share the variable stack and the error position, and keeping them
 * together keeps the comparison with exec.go line by line possible.
 */
final class Exec {
    private static final class BreakSignal extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BreakSignal() {
            super(null, null, false, false);
        }
    }

    private static final class ContinueSignal extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ContinueSignal() {
            super(null, null, false, false);
        }
    }

    private record Var(String name, Val value) {
    }

    private final String name;
    private final String text;
    private final boolean missingKeyError;
    /**
     * The longest string a function may return. Go has no cap, so a chain of {@code printf "%q"} (each
     * doubling its input's escapes) grows until the process dies; a format for a plugin listing needs
     * nothing near a million characters per call.
     */
    static final int MAX_RESULT_CHARS = 1 << 20;
    /** The longest output a template may write, for the same reason (recursion can repeat any call). */
    static final int MAX_OUTPUT_CHARS = 1 << 24;

    private final StringBuilder out;
    private final Map<String, Builtins.Func> funcs;
    private List<Var> vars = new ArrayList<>();
    private Map<String, Node.ListNode> templates = Map.of();
    private int depth;
    private Node node;

    Exec(String name, String text, boolean missingKeyError, StringBuilder out, Val data, Map<String, Builtins.Func> funcs) {
        this.funcs = funcs;
        this.name = name;
        this.text = text;
        this.missingKeyError = missingKeyError;
        this.out = out;
        vars.add(new Var("$", data));
    }

    /** The templates {@code {{template}}} can invoke. @return this */
    Exec templates(Map<String, Node.ListNode> defined) {
        this.templates = defined;
        return this;
    }

    // --- errors ---

    void at(Node n) {
        node = n;
    }

    /** Go's ExecError text: location, template name and the node's text, then the message. */
    TemplateException error(String message) {
        if (node == null) {
            return new TemplateException("template: " + name + ": " + message);
        }
        String before = text.substring(0, Math.min(node.pos(), text.length()));
        int nl = before.lastIndexOf('\n');
        int line = 1 + (int) before.chars().filter(c -> c == '\n').count();
        int col = before.substring(nl + 1).getBytes(StandardCharsets.UTF_8).length;
        String context = node.toString();
        return new TemplateException("template: " + name + ":" + line + ":" + col + ": executing " + Quote.go(name)
                + " at <" + context + ">: " + message);
    }

    // --- variables ---

    private int mark() {
        return vars.size();
    }

    private void pop(int mark) {
        while (vars.size() > mark) {
            vars.remove(vars.size() - 1);
        }
    }

    private void setVar(String n, Val value) {
        for (int i = vars.size() - 1; i >= 0; i--) {
            if (vars.get(i).name().equals(n)) {
                vars.set(i, new Var(n, value));
                return;
            }
        }
        throw error("undefined variable: " + n);
    }

    private Val varValue(String n) {
        for (int i = vars.size() - 1; i >= 0; i--) {
            if (vars.get(i).name().equals(n)) {
                return vars.get(i).value();
            }
        }
        throw error("undefined variable: " + n);
    }

    // --- walking ---

    void walk(Val dot, Node n) {
        at(n);
        if (n instanceof Node.Action a) {
            Val v = evalPipeline(dot, a.pipe());
            if (a.pipe().decl().isEmpty()) {
                printValue(a, v);
            }
        } else if (n instanceof Node.ListNode l) {
            for (Node child : l.nodes()) {
                walk(dot, child);
            }
        } else if (n instanceof Node.Text t) {
            write(t.text());
        } else if (n instanceof Node.Branch b) {
            if (b.keyword().equals("range")) {
                walkRange(dot, b);
            } else {
                walkIfOrWith(b, dot);
            }
        } else if (n instanceof Node.Invoke t) {
            walkTemplate(dot, t);
        } else if (n instanceof Node.Break) {
            throw new BreakSignal();
        } else if (n instanceof Node.Continue) {
            throw new ContinueSignal();
        }
    }

    /** Allocated with Exec itself: loading a class at the overflow would overflow again. */
    private static final DepthExceeded DEPTH_EXCEEDED = new DepthExceeded();

    /** Carries a stack overflow up to the outermost template call; allocated once, without a stack trace. */
    private static final class DepthExceeded extends Error {
        private static final long serialVersionUID = 1L;

        private DepthExceeded() {
            super("exceeded maximum template depth", null, false, false);
        }
    }

    private void walkTemplate(Val dot, Node.Invoke t) {
        at(t);
        Node.ListNode body = templates.get(t.name());
        if (body == null) {
            throw error("template " + Quote.go(t.name()) + " not defined");
        }
        if (depth == 100000) {
            throw error("exceeded maximum template depth (100000)");
        }
        Val newDot = evalPipeline(dot, t.pipe());
        // no dynamic scoping: the invoked template sees only $
        List<Var> saved = vars;
        vars = new ArrayList<>(List.of(new Var("$", newDot)));
        boolean outermost = depth == 0;
        depth++;
        try {
            walk(newDot, body);
        } catch (StackOverflowError e) {
            // Go stops a recursive template at depth 100000; a JVM thread's stack may end first. Either
            // way the user gets Go's error, not a crash (found by GoTemplateFuzzTest). Building the error
            // needs stack, so a preallocated signal carries it up to the outermost template call.
            throw DEPTH_EXCEEDED;
        } catch (DepthExceeded e) {
            if (outermost) {
                throw error("exceeded maximum template depth (100000)");
            }
            throw e;
        } finally {
            depth--;
            vars = saved;
        }
    }

    private void walkIfOrWith(Node.Branch b, Val dot) {
        int mark = mark();
        try {
            Val v = evalPipeline(dot, b.pipe());
            if (isTrue(Builtins.indirectInterface(v))) {
                walk(b.keyword().equals("with") ? v : dot, b.list());
            } else if (b.elseList() != null) {
                walk(dot, b.elseList());
            }
        } finally {
            pop(mark);
        }
    }

    static boolean isTrue(Val v) {
        if (v == null) {
            return false;
        }
        return switch (v.kind()) {
            case SLICE -> !v.isNil() && !v.list().isEmpty();
            case MAP -> !v.isNil() && !v.map().isEmpty();
            case STRING -> !v.str().isEmpty();
            case BOOL -> (Boolean) v.v();
            case PTR, IFACE -> !v.isNil();
            case INT, UINT -> v.asLong() != 0;
            case FLOAT -> (Double) v.v() != 0;
            case STRUCT, REFLECT -> true;
        };
    }

    private void walkRange(Val dot, Node.Branch r) {
        at(r);
        int outer = mark();
        try {
            Val v = Builtins.indirect(evalPipeline(dot, r.pipe()));
            int mark = mark();
            List<Map.Entry<Val, Val>> items = new ArrayList<>();
            if (v != null) {
                switch (v.kind()) {
                    case SLICE -> {
                        List<Val> l = v.isNil() ? List.of() : v.list();
                        for (int i = 0; i < l.size(); i++) {
                            items.add(Map.entry(Val.of(i), l.get(i)));
                        }
                    }
                    case MAP -> {
                        if (!v.isNil()) {
                            new TreeMap<>(v.map()).forEach((k, e) -> items.add(Map.entry(Val.of(k), e)));
                        }
                    }
                    case PTR, IFACE -> {
                        // nil: an invalid value ranges like an empty map
                    }
                    default -> throw error("range can't iterate over " + Fmt.print(v));
                }
            }
            for (Map.Entry<Val, Val> item : items) {
                int n = r.pipe().decl().size();
                if (n > 0) {
                    vars.set(vars.size() - 1, new Var(vars.get(vars.size() - 1).name(), item.getValue()));
                }
                if (n > 1) {
                    vars.set(vars.size() - 2, new Var(vars.get(vars.size() - 2).name(), item.getKey()));
                }
                try {
                    walk(item.getValue(), r.list());
                } catch (ContinueSignal c) {
                    // next element
                } catch (BreakSignal b) {
                    pop(mark);
                    return;
                }
                pop(mark);
            }
            if (items.isEmpty() && r.elseList() != null) {
                walk(dot, r.elseList());
            }
        } finally {
            pop(outer);
        }
    }

    // --- evaluation ---

    Val evalPipeline(Val dot, Node.Pipe pipe) {
        if (pipe == null) {
            return null;
        }
        at(pipe);
        Val value = Val.MISSING;
        for (Node.Command cmd : pipe.cmds()) {
            value = evalCommand(dot, cmd, value);
            // an interface{} holds its dynamic value: dig down one level
            if (value != null && value.kind() == GoType.Kind.IFACE) {
                value = value.elem();
            }
        }
        for (Node.Variable v : pipe.decl()) {
            if (pipe.assign()) {
                setVar(v.ident().get(0), value);
            } else {
                vars.add(new Var(v.ident().get(0), value));
            }
        }
        return value;
    }

    private void notAFunction(List<Node> args, Val fin) {
        if (args != null && args.size() > 1 || fin != Val.MISSING) {
            throw error("can't give argument to non-function " + args.get(0));
        }
    }

    private Val evalCommand(Val dot, Node.Command cmd, Val fin) {
        Node first = cmd.args().get(0);
        if (first instanceof Node.Field f) {
            return evalFieldNode(dot, f, cmd.args(), fin);
        }
        if (first instanceof Node.Chain c) {
            return evalChainNode(dot, c, cmd.args(), fin);
        }
        if (first instanceof Node.Identifier id) {
            return evalFunction(dot, id, cmd, cmd.args(), fin);
        }
        if (first instanceof Node.Pipe p) {
            notAFunction(cmd.args(), fin);
            return evalPipeline(dot, p);
        }
        if (first instanceof Node.Variable v) {
            return evalVariableNode(dot, v, cmd.args(), fin);
        }
        at(first);
        notAFunction(cmd.args(), fin);
        if (first instanceof Node.Bool b) {
            return Val.of(b.value());
        }
        if (first instanceof Node.Dot) {
            return dot;
        }
        if (first instanceof Node.Nil) {
            throw error("nil is not a command");
        }
        if (first instanceof Node.Number n) {
            return idealConstant(n);
        }
        if (first instanceof Node.Str s) {
            return Val.of(s.text());
        }
        throw error("can't evaluate command " + Quote.go(first.toString()));
    }

    /**
     * Whether a number's text has a float's marks. A scan, not a regular expression: {@link
     * java.util.regex.Pattern} turns a stack overflow during its compilation into a {@code
     * PatternSyntaxException}, which a deep template recursion would then see instead of its depth error
     * (found by GoTemplateFuzzTest).
     */
    private static boolean looksLikeFloat(String text) {
        for (int i = 0; i < text.length(); i++) {
            switch (text.charAt(i)) {
                case '.', 'e', 'E', 'p', 'P' -> {
                    return true;
                }
                default -> {
                }
            }
        }
        return false;
    }

    Val idealConstant(Node.Number n) {
        at(n);
        boolean charConstant = n.text().startsWith("'");
        boolean hex = n.text().length() > 2 && n.text().charAt(0) == '0' && (n.text().charAt(1) == 'x' || n.text().charAt(1) == 'X');
        if (n.isFloat() && !hex && !charConstant && looksLikeFloat(n.text())) {
            return new Val(GoType.FLOAT64, n.floatValue());
        }
        if (n.isInt()) {
            return Val.of(n.intValue());
        }
        if (n.isUint()) {
            throw error(n.text() + " overflows int");
        }
        return null;
    }

    private Val evalFieldNode(Val dot, Node.Field field, List<Node> args, Val fin) {
        at(field);
        return evalFieldChain(dot, dot, field, field.ident(), args, fin);
    }

    private Val evalChainNode(Val dot, Node.Chain chain, List<Node> args, Val fin) {
        at(chain);
        if (chain.node() instanceof Node.Nil) {
            throw error("indirection through explicit nil in " + chain);
        }
        Val pipe = evalArg(dot, null, chain.node());
        return evalFieldChain(dot, pipe, chain, chain.fields(), args, fin);
    }

    private Val evalVariableNode(Val dot, Node.Variable variable, List<Node> args, Val fin) {
        at(variable);
        Val value = varValue(variable.ident().get(0));
        if (variable.ident().size() == 1) {
            notAFunction(args, fin);
            return value;
        }
        return evalFieldChain(dot, value, variable, variable.ident().subList(1, variable.ident().size()), args, fin);
    }

    private Val evalFieldChain(Val dot, Val receiver, Node n, List<String> ident, List<Node> args, Val fin) {
        int last = ident.size() - 1;
        for (int i = 0; i < last; i++) {
            receiver = evalField(dot, ident.get(i), n, null, Val.MISSING, receiver);
        }
        return evalField(dot, ident.get(last), n, args, fin, receiver);
    }

    private Val evalFunction(Val dot, Node.Identifier id, Node cmd, List<Node> args, Val fin) {
        at(id);
        Builtins.Func f = funcs.get(id.name());
        if (f == null) {
            throw error(Quote.go(id.name()) + " is not a defined function");
        }
        return evalCall(dot, f, cmd, id.name(), args, fin);
    }

    private Val evalField(Val dot, String fieldName, Node n, List<Node> args, Val fin, Val receiver) {
        if (receiver == null) {
            if (missingKeyError) {
                throw error("nil data; no entry for key " + Quote.go(fieldName));
            }
            return null;
        }
        GoType typ = receiver.type();
        Val r = receiver;
        boolean isNil = false;
        while (r.kind() == GoType.Kind.PTR || r.kind() == GoType.Kind.IFACE) {
            if (r.isNil()) {
                isNil = true;
                break;
            }
            if (r.type().methods.containsKey(fieldName)) {
                break;
            }
            r = r.elem();
        }
        if (r.kind() == GoType.Kind.IFACE && isNil) {
            throw error("nil pointer evaluating " + typ + "." + fieldName);
        }
        var method = r.type().methods.get(fieldName);
        if (method != null) {
            int given = (args == null ? 0 : args.size() - 1) + (fin != Val.MISSING ? 1 : 0);
            if (given != 0) {
                throw error("wrong number of args for " + fieldName + ": want 0 got " + given);
            }
            return method.apply(r);
        }
        boolean hasArgs = (args != null && args.size() > 1) || fin != Val.MISSING;
        switch (r.kind()) {
            case STRUCT -> {
                if (r.type().fields.containsKey(fieldName)) {
                    if (hasArgs) {
                        throw error(fieldName + " has arguments but cannot be invoked as function");
                    }
                    return r.map().get(fieldName);
                }
            }
            case MAP -> {
                if (hasArgs) {
                    throw error(fieldName + " is not a method but has arguments");
                }
                Val result = r.isNil() ? null : r.map().get(fieldName);
                if (result == null && missingKeyError) {
                    throw error("map has no entry for key " + Quote.go(fieldName));
                }
                return result;
            }
            case PTR -> {
                GoType etyp = r.type().elem;
                if (etyp.kind == GoType.Kind.STRUCT && !etyp.fields.containsKey(fieldName)) {
                    break;
                }
                if (isNil) {
                    throw error("nil pointer evaluating " + typ + "." + fieldName);
                }
            }
            default -> {
            }
        }
        throw error("can't evaluate field " + fieldName + " in type " + typ);
    }

    private Val evalCall(Val dot, Builtins.Func fun, Node n, String fname, List<Node> args, Val fin) {
        List<Node> given = args == null ? List.of() : args.subList(1, args.size());
        int numIn = given.size() + (fin != Val.MISSING ? 1 : 0);
        List<GoType> params = fun.params();
        int numFixed = given.size();
        if (fun.variadic()) {
            numFixed = params.size() - 1;
            if (numIn < numFixed) {
                throw error("wrong number of args for " + fname + ": want at least " + numFixed + " got " + given.size());
            }
        } else if (numIn != params.size()) {
            throw error("wrong number of args for " + fname + ": want " + params.size() + " got " + numIn);
        }
        if (fname.equals("and") || fname.equals("or")) {
            // Go 1.18+: and/or evaluate their arguments only as far as needed
            Val v = null;
            for (Node a : given) {
                v = evalArg(dot, GoType.REFLECT, a);
                if (isTrue(Builtins.indirectInterface(v)) == fname.equals("or")) {
                    return v;
                }
            }
            if (fin != Val.MISSING) {
                v = fin;
            }
            return v;
        }
        List<Val> argv = new ArrayList<>();
        int i = 0;
        for (; i < numFixed && i < given.size(); i++) {
            argv.add(evalArg(dot, params.get(i), given.get(i)));
        }
        if (fun.variadic()) {
            GoType argType = params.get(params.size() - 1);
            for (; i < given.size(); i++) {
                argv.add(evalArg(dot, argType, given.get(i)));
            }
        }
        if (fin != Val.MISSING) {
            GoType t = params.get(params.size() - 1);
            if (fun.variadic() && numIn - 1 < numFixed) {
                t = params.get(numIn - 1);
            }
            argv.add(validateType(fin, t));
        }
        Val result;
        try {
            result = fun.impl().apply(argv);
        } catch (Builtins.CallError e) {
            at(n);
            throw error("error calling " + fname + ": " + e.getMessage());
        }
        if (result != null && result.v() instanceof String s && s.length() > MAX_RESULT_CHARS) {
            at(n);
            throw error("error calling " + fname + ": result longer than " + MAX_RESULT_CHARS + " characters");
        }
        return result;
    }

    private Val validateType(Val value, GoType typ) {
        if (value == null) {
            if (typ == null) {
                return null;
            }
            if (typ.canBeNil()) {
                return typ == GoType.REFLECT || typ == GoType.ANY ? null : new Val(typ, null);
            }
            throw error("invalid value; expected " + typ);
        }
        if (typ == null || typ == GoType.REFLECT || typ == GoType.ANY || value.type().equals(typ)) {
            return value;
        }
        if (value.kind() == GoType.Kind.IFACE && !value.isNil()) {
            value = value.elem();
            if (value.type().equals(typ)) {
                return value;
            }
        }
        if (value.kind() == GoType.Kind.PTR && value.type().elem.equals(typ)) {
            if (value.isNil()) {
                throw error("dereference of nil pointer of type " + typ);
            }
            return value.elem();
        }
        throw error("wrong type for value; expected " + typ + "; got " + value.type());
    }

    private Val evalArg(Val dot, GoType typ, Node n) {
        at(n);
        if (n instanceof Node.Dot) {
            return validateType(dot, typ);
        }
        if (n instanceof Node.Nil) {
            if (typ != null && typ.canBeNil()) {
                return typ == GoType.REFLECT || typ == GoType.ANY ? null : new Val(typ, null);
            }
            throw error("cannot assign nil to " + typ);
        }
        if (n instanceof Node.Field f) {
            return validateType(evalFieldNode(dot, f, List.of(n), Val.MISSING), typ);
        }
        if (n instanceof Node.Variable v) {
            return validateType(evalVariableNode(dot, v, null, Val.MISSING), typ);
        }
        if (n instanceof Node.Pipe p) {
            return validateType(evalPipeline(dot, p), typ);
        }
        if (n instanceof Node.Identifier id) {
            return validateType(evalFunction(dot, id, id, null, Val.MISSING), typ);
        }
        if (n instanceof Node.Chain c) {
            return validateType(evalChainNode(dot, c, null, Val.MISSING), typ);
        }
        GoType.Kind k = typ == null ? GoType.Kind.IFACE : typ.kind;
        switch (k) {
            case BOOL -> {
                if (n instanceof Node.Bool b) {
                    return new Val(typ, b.value());
                }
                throw error("expected bool; found " + n);
            }
            case STRING -> {
                if (n instanceof Node.Str s) {
                    return new Val(typ, s.text());
                }
                throw error("expected string; found " + n);
            }
            case INT -> {
                if (n instanceof Node.Number num && num.isInt()) {
                    return new Val(typ, num.intValue());
                }
                throw error("expected integer; found " + n);
            }
            case FLOAT -> {
                if (n instanceof Node.Number num && num.isFloat()) {
                    return new Val(typ, num.floatValue());
                }
                throw error("expected float; found " + n);
            }
            case IFACE, REFLECT -> {
                return evalEmptyInterface(n);
            }
            default -> throw error("can't handle " + n + " for arg of type " + typ);
        }
    }

    private Val evalEmptyInterface(Node n) {
        at(n);
        if (n instanceof Node.Bool b) {
            return Val.of(b.value());
        }
        if (n instanceof Node.Number num) {
            return idealConstant(num);
        }
        if (n instanceof Node.Str s) {
            return Val.of(s.text());
        }
        throw error("can't handle assignment of " + n + " to empty interface argument");
    }

    private void printValue(Node n, Val v) {
        at(n);
        Val p = v;
        if (p != null && p.kind() == GoType.Kind.PTR) {
            p = Builtins.indirect(p);
            if (p != null && p.kind() == GoType.Kind.PTR && p.isNil()) {
                write("<nil>");
                return;
            }
        }
        if (p == null) {
            write("<no value>");
            return;
        }
        write(Fmt.print(p));
    }

    private void write(String s) {
        if (out.length() + (long) s.length() > MAX_OUTPUT_CHARS) {
            throw error("output longer than " + MAX_OUTPUT_CHARS + " characters");
        }
        out.append(s);
    }
}
