package dev.berth.cli.template;

import dev.berth.cli.template.Lexer.Kind;
import dev.berth.cli.template.Lexer.Token;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Go's {@code text/template/parse} parser over {@link Lexer}'s tokens, with Go's checks and messages. */
final class Parser {
    /** The end of a list: {@code {{end}}} or {@code {{else}}} (whose pending {@code if} is not consumed). */
    private record End(int pos, boolean isElse) {
    }

    private final String name;
    private final String text;
    private final List<Token> tokens;
    private final Set<String> functions;
    private List<String> vars = new ArrayList<>(List.of("$"));
    /** Templates named by define and block, in the order they were defined. */
    private final java.util.Map<String, Node.ListNode> defined = new java.util.LinkedHashMap<>();
    private int next;
    private int rangeDepth;
    private Token last;

    private Parser(String name, String text, Set<String> functions) {
        this.name = name;
        this.text = text;
        this.tokens = Lexer.lex(text);
        this.functions = functions;
    }

    /**
     * Parses a template.
     *
     * @throws TemplateException with Go's "template: NAME:LINE: ..." message
     */
    static Node.ListNode parse(String name, String text, Set<String> functions) {
        return parse(name, text, functions, new java.util.HashMap<>());
    }

    /** Parses a template; what it defines goes into {@code defined}. */
    static Node.ListNode parse(String name, String text, Set<String> functions, java.util.Map<String, Node.ListNode> defined) {
        Parser p = new Parser(name, text, functions);
        Node.ListNode root = p.root();
        defined.putAll(p.defined);
        return root;
    }

    private Node.ListNode root() {
        List<Node> nodes = new ArrayList<>();
        while (peek().kind() != Kind.EOF) {
            Object n = textOrAction();
            if (n instanceof End e) {
                throw error("unexpected " + (e.isElse() ? "{{else}}" : "{{end}}"));
            }
            nodes.add((Node) n);
        }
        return new Node.ListNode(0, nodes);
    }

    // --- tokens ---

    private Token nextToken() {
        Token t = tokens.get(Math.min(next, tokens.size() - 1));
        next++;
        last = t;
        return t;
    }

    private Token peek() {
        return tokens.get(Math.min(next, tokens.size() - 1));
    }

    private void backup() {
        next--;
    }

    private Token nextNonSpace() {
        Token t;
        do {
            t = nextToken();
        } while (t.kind() == Kind.SPACE);
        return t;
    }

    private Token peekNonSpace() {
        Token t = nextNonSpace();
        backup();
        return t;
    }

    private TemplateException error(String message) {
        int at = last == null ? 0 : last.pos();
        int line = 1;
        for (int i = 0; i < at && i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return new TemplateException("template: " + name + ":" + line + ": " + message);
    }

    private TemplateException unexpected(Token t, String context) {
        if (t.kind() == Kind.ERROR) {
            return error(t.val());
        }
        return error("unexpected " + t + " in " + context);
    }

    private Token expect(Kind kind, String context) {
        Token t = nextNonSpace();
        if (t.kind() != kind) {
            throw unexpected(t, context);
        }
        return t;
    }

    // --- structure ---

    /** A node, or an {@link End} for {@code {{end}}} and {@code {{else}}}. */
    private Object textOrAction() {
        Token t = nextNonSpace();
        switch (t.kind()) {
            case TEXT -> {
                return new Node.Text(t.pos(), t.val());
            }
            case LEFT_DELIM -> {
                return action();
            }
            case COMMENT -> {
                Token c = t;
                expect(Kind.RIGHT_DELIM, "comment");
                return new Node.Comment(c.pos(), c.val());
            }
            default -> throw unexpected(t, "input");
        }
    }

    private Object action() {
        Token t = nextNonSpace();
        if (t.kind() == Kind.COMMENT) {
            expect(Kind.RIGHT_DELIM, "comment");
            return new Node.Comment(t.pos(), t.val());
        }
        switch (t.kind()) {
            case DEFINE -> {
                String n = templateName("define clause");
                expect(Kind.RIGHT_DELIM, "define end");
                defineBody(n);
                return new Node.Comment(t.pos(), "");
            }
            case TEMPLATE, BLOCK -> {
                String context = t.kind() == Kind.BLOCK ? "block clause" : "template clause";
                // Go places the node at its name, which is where execution errors point
                int at = peekNonSpace().pos();
                String n = templateName(context);
                Node.Pipe pipe = null;
                Token next = nextNonSpace();
                if (next.kind() != Kind.RIGHT_DELIM) {
                    backup();
                    pipe = pipeline(context, Kind.RIGHT_DELIM);
                }
                if (t.kind() == Kind.BLOCK) {
                    defineBody(n);
                }
                return new Node.Invoke(at, n, pipe);
            }
            case BREAK, CONTINUE -> {
                if (rangeDepth == 0) {
                    throw error("{{" + t.val() + "}} outside {{range}}");
                }
                Token end = nextNonSpace();
                if (end.kind() != Kind.RIGHT_DELIM) {
                    throw unexpected(end, "in {{" + t.val() + "}}");
                }
                return t.kind() == Kind.BREAK ? new Node.Break(t.pos()) : new Node.Continue(t.pos());
            }
            case ELSE -> {
                Token p = peekNonSpace();
                if (p.kind() == Kind.IF) {
                    return new End(p.pos(), true);
                }
                expect(Kind.RIGHT_DELIM, "else");
                return new End(t.pos(), true);
            }
            case END -> {
                expect(Kind.RIGHT_DELIM, "end");
                return new End(t.pos(), false);
            }
            case IF -> {
                return control(true, "if", t.pos());
            }
            case RANGE -> {
                return control(false, "range", t.pos());
            }
            case WITH -> {
                return control(false, "with", t.pos());
            }
            default -> {
                backup();
                Token start = peekNonSpace();
                return new Node.Action(start.pos(), pipeline("command", Kind.RIGHT_DELIM));
            }
        }
    }

    private String templateName(String context) {
        Token t = nextNonSpace();
        if (t.kind() != Kind.STRING && t.kind() != Kind.RAW_STRING) {
            throw unexpected(t, context);
        }
        try {
            return Quote.unquote(t.val());
        } catch (RuntimeException e) {
            throw error("invalid syntax");
        }
    }

    /** The body of a define or block, up to its end; a template body sees only its own variables. */
    private void defineBody(String n) {
        List<String> outer = vars;
        vars = new ArrayList<>(List.of("$"));
        int depth = rangeDepth;
        rangeDepth = 0;
        try {
            List<Object> body = itemList();
            if (((End) body.get(1)).isElse()) {
                throw error("unexpected {{else}}");
            }
            defined.put(n, (Node.ListNode) body.get(0));
        } finally {
            vars = outer;
            rangeDepth = depth;
        }
    }

    private Node control(boolean allowElseIf, String context, int pos) {
        int mark = vars.size();
        try {
            Node.Pipe pipe = pipeline(context, Kind.RIGHT_DELIM);
            if (context.equals("range")) {
                rangeDepth++;
            }
            List<Object> listAndEnd = itemList();
            if (context.equals("range")) {
                rangeDepth--;
            }
            Node.ListNode list = (Node.ListNode) listAndEnd.get(0);
            End end = (End) listAndEnd.get(1);
            Node.ListNode elseList = null;
            if (end.isElse()) {
                if (allowElseIf && peek().kind() == Kind.IF) {
                    // {{else if b}} is {{else}}{{if b}}...{{end}}{{end}} sharing one end
                    Token ifToken = nextToken();
                    elseList = new Node.ListNode(end.pos(), List.of(control(true, "if", ifToken.pos())));
                } else {
                    List<Object> otherwise = itemList();
                    elseList = (Node.ListNode) otherwise.get(0);
                    if (((End) otherwise.get(1)).isElse()) {
                        throw error("expected end; found {{else}}");
                    }
                }
            }
            return new Node.Branch(pipe.pos(), context, pipe, list, elseList);
        } finally {
            while (vars.size() > mark) {
                vars.remove(vars.size() - 1);
            }
        }
    }

    private List<Object> itemList() {
        List<Node> nodes = new ArrayList<>();
        int pos = peekNonSpace().pos();
        while (peekNonSpace().kind() != Kind.EOF) {
            Object n = textOrAction();
            if (n instanceof End e) {
                return List.of(new Node.ListNode(pos, nodes), e);
            }
            nodes.add((Node) n);
        }
        Token t = peekNonSpace();
        last = t;
        throw error("unexpected EOF");
    }

    // --- pipelines ---

    private Node.Pipe pipeline(String context, Kind end) {
        Token first = peekNonSpace();
        List<Node.Variable> decl = new ArrayList<>();
        boolean assign = false;
        boolean more = true;
        while (more) {
            more = false;
            Token v = peekNonSpace();
            if (v.kind() != Kind.VARIABLE) {
                break;
            }
            int save = next;
            nextNonSpace();
            Token after = peek();
            Token n = peekNonSpace();
            if (n.kind() == Kind.ASSIGN || n.kind() == Kind.DECLARE) {
                assign = n.kind() == Kind.ASSIGN;
                nextNonSpace();
                decl.add(new Node.Variable(v.pos(), List.of(v.val())));
                vars.add(v.val());
            } else if (n.kind() == Kind.CHAR && n.val().equals(",")) {
                nextNonSpace();
                decl.add(new Node.Variable(v.pos(), List.of(v.val())));
                vars.add(v.val());
                if (context.equals("range") && decl.size() < 2) {
                    Kind k = peekNonSpace().kind();
                    if (k == Kind.VARIABLE || k == Kind.RIGHT_DELIM || k == Kind.RIGHT_PAREN) {
                        more = true;
                        continue;
                    }
                    throw error("range can only initialize variables");
                }
                throw error("too many declarations in " + context);
            } else {
                next = save; // not a declaration: the variable starts a command
                if (after.kind() == Kind.SPACE) {
                    next = save;
                }
            }
        }
        List<Node.Command> cmds = new ArrayList<>();
        while (true) {
            Token t = nextNonSpace();
            if (t.kind() == end) {
                if (cmds.isEmpty()) {
                    throw error("missing value for " + context);
                }
                for (int i = 1; i < cmds.size(); i++) {
                    Node a = cmds.get(i).args().get(0);
                    if (a instanceof Node.Bool || a instanceof Node.Dot || a instanceof Node.Nil
                            || a instanceof Node.Number || a instanceof Node.Str) {
                        throw error("non executable command in pipeline stage " + (i + 1));
                    }
                }
                return new Node.Pipe(first.pos(), assign, decl, cmds);
            }
            switch (t.kind()) {
                case BOOL, CHAR_CONSTANT, DOT, FIELD, IDENTIFIER, NUMBER, NIL, RAW_STRING, STRING, VARIABLE,
                        LEFT_PAREN -> {
                    backup();
                    cmds.add(command());
                }
                default -> throw unexpected(t, context);
            }
        }
    }

    private Node.Command command() {
        int pos = peekNonSpace().pos();
        List<Node> args = new ArrayList<>();
        while (true) {
            peekNonSpace();
            Node operand = operand();
            if (operand != null) {
                args.add(operand);
            }
            Token t = nextToken();
            if (t.kind() == Kind.SPACE) {
                continue;
            }
            if (t.kind() == Kind.RIGHT_DELIM || t.kind() == Kind.RIGHT_PAREN) {
                backup();
            } else if (t.kind() != Kind.PIPE) {
                throw unexpected(t, "operand");
            }
            break;
        }
        if (args.isEmpty()) {
            throw error("empty command");
        }
        return new Node.Command(pos, args);
    }

    private Node operand() {
        Node node = term();
        if (node == null) {
            return null;
        }
        if (peek().kind() == Kind.FIELD) {
            int pos = peek().pos();
            List<String> fields = new ArrayList<>();
            while (peek().kind() == Kind.FIELD) {
                fields.add(nextToken().val().substring(1));
            }
            if (node instanceof Node.Field f) {
                List<String> all = new ArrayList<>(f.ident());
                all.addAll(fields);
                return new Node.Field(pos, all);
            }
            if (node instanceof Node.Variable v) {
                List<String> all = new ArrayList<>(v.ident());
                all.addAll(fields);
                return new Node.Variable(pos, all);
            }
            if (node instanceof Node.Bool || node instanceof Node.Str || node instanceof Node.Number
                    || node instanceof Node.Nil || node instanceof Node.Dot) {
                throw error("unexpected . after term " + Quote.go(node.toString()));
            }
            return new Node.Chain(pos, node, fields);
        }
        return node;
    }

    private Node term() {
        Token t = nextNonSpace();
        switch (t.kind()) {
            case IDENTIFIER -> {
                if (!functions.contains(t.val())) {
                    throw error("function " + Quote.go(t.val()) + " not defined");
                }
                return new Node.Identifier(t.pos(), t.val());
            }
            case DOT -> {
                return new Node.Dot(t.pos());
            }
            case NIL -> {
                return new Node.Nil(t.pos());
            }
            case VARIABLE -> {
                if (!vars.contains(t.val())) {
                    throw error("undefined variable " + Quote.go(t.val()));
                }
                return new Node.Variable(t.pos(), List.of(t.val()));
            }
            case FIELD -> {
                return new Node.Field(t.pos(), List.of(t.val().substring(1)));
            }
            case BOOL -> {
                return new Node.Bool(t.pos(), t.val().equals("true"));
            }
            case CHAR_CONSTANT, NUMBER -> {
                return number(t);
            }
            case LEFT_PAREN -> {
                return pipeline("parenthesized pipeline", Kind.RIGHT_PAREN);
            }
            case STRING, RAW_STRING -> {
                try {
                    return new Node.Str(t.pos(), t.val(), Quote.unquote(t.val()));
                } catch (RuntimeException e) {
                    throw error("invalid syntax");
                }
            }
            default -> {
                backup();
                return null;
            }
        }
    }

    /** Go's newNumber: which of int, uint and float the literal fits. */
    private Node number(Token t) {
        String s = t.val();
        if (t.kind() == Kind.CHAR_CONSTANT) {
            String v;
            try {
                v = Quote.unquote(s);
            } catch (IllegalArgumentException e) {
                // a bad escape (a u-escape with a non-hex digit): Go's parser reports it; it must not escape as a
                // NumberFormatException (found by GoTemplateFuzzTest)
                throw error("malformed character constant: " + s);
            }
            if (v.isEmpty() || v.codePointCount(0, v.length()) != 1) {
                throw error("malformed character constant: " + s);
            }
            int c = v.codePointAt(0);
            return new Node.Number(t.pos(), s, true, c, true, true, c);
        }
        if (s.endsWith("i")) {
            throw error("complex numbers are not supported by this tool: " + s);
        }
        String clean = s.replace("_", "");
        boolean negative = clean.startsWith("-");
        String body = clean.startsWith("+") || negative ? clean.substring(1) : clean;
        BigInteger big = null;
        try {
            if (body.startsWith("0x") || body.startsWith("0X")) {
                big = body.contains(".") ? null : new BigInteger(body.substring(2), 16);
            } else if (body.startsWith("0o") || body.startsWith("0O")) {
                big = new BigInteger(body.substring(2), 8);
            } else if (body.startsWith("0b") || body.startsWith("0B")) {
                big = new BigInteger(body.substring(2), 2);
            } else if (body.length() > 1 && body.startsWith("0") && body.chars().allMatch(Character::isDigit)) {
                big = new BigInteger(body.substring(1), 8);
            } else if (!body.isEmpty() && body.chars().allMatch(Character::isDigit)) {
                big = new BigInteger(body);
            }
        } catch (NumberFormatException e) {
            big = null;
        }
        if (big != null) {
            if (negative) {
                big = big.negate();
            }
            boolean isUint = big.signum() >= 0 && big.bitLength() <= 64;
            boolean isInt = big.bitLength() <= 63;
            return new Node.Number(t.pos(), s, isInt, isInt ? big.longValue() : 0, isUint, true, big.doubleValue());
        }
        double f;
        try {
            f = Double.parseDouble(clean);
        } catch (NumberFormatException e) {
            throw error("illegal number syntax: " + Quote.go(s));
        }
        boolean integral = f == Math.rint(f) && Math.abs(f) < 9.2e18;
        return new Node.Number(t.pos(), s, integral, (long) f, integral && f >= 0, true, f);
    }
}
