package dev.berth.cli.template;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The parse tree of Go's {@code text/template/parse}: the same node kinds, and {@link #toString()}
 * printing them as Go does, because Go quotes that text in execution errors.
 */
sealed interface Node {
    /** Offset of the node in the template's text, in chars; errors turn it into a line and byte column. */
    int pos();

    record Text(int pos, String text) implements Node {
        @Override
        public String toString() {
            return Quote.go(text);
        }
    }

    record Comment(int pos, String text) implements Node {
        @Override
        public String toString() {
            return "{{" + text + "}}";
        }
    }

    record ListNode(int pos, List<Node> nodes) implements Node {
        @Override
        public String toString() {
            return nodes.stream().map(Node::toString).collect(Collectors.joining());
        }
    }

    record Action(int pos, Pipe pipe) implements Node {
        @Override
        public String toString() {
            return "{{" + pipe + "}}";
        }
    }

    /** {@code if}, {@code with} or {@code range}; {@code elseList} is null when there is no else. */
    record Branch(int pos, String keyword, Pipe pipe, ListNode list, ListNode elseList) implements Node {
        @Override
        public String toString() {
            return "{{" + keyword + " " + pipe + "}}" + list + (elseList == null ? "" : "{{else}}" + elseList) + "{{end}}";
        }
    }

    /** {@code {{template "name" pipeline}}}; {@code pipe} is null without a pipeline. */
    record Invoke(int pos, String name, Pipe pipe) implements Node {
        @Override
        public String toString() {
            return "{{template " + Quote.go(name) + (pipe == null ? "" : " " + pipe) + "}}";
        }
    }

    record Break(int pos) implements Node {
        @Override
        public String toString() {
            return "{{break}}";
        }
    }

    record Continue(int pos) implements Node {
        @Override
        public String toString() {
            return "{{continue}}";
        }
    }

    /** A pipeline: declared or assigned variables, then commands separated by {@code |}. */
    record Pipe(int pos, boolean assign, List<Variable> decl, List<Command> cmds) implements Node {
        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder();
            if (!decl.isEmpty()) {
                sb.append(decl.stream().map(Node::toString).collect(Collectors.joining(", ")));
                sb.append(assign ? " = " : " := ");
            }
            sb.append(cmds.stream().map(Node::toString).collect(Collectors.joining(" | ")));
            return sb.toString();
        }
    }

    record Command(int pos, List<Node> args) implements Node {
        @Override
        public String toString() {
            return args.stream().map(a -> a instanceof Pipe ? "(" + a + ")" : a.toString())
                    .collect(Collectors.joining(" "));
        }
    }

    record Identifier(int pos, String name) implements Node {
        @Override
        public String toString() {
            return name;
        }
    }

    /** {@code $x.F.G}: the variable's name first, then fields. */
    record Variable(int pos, List<String> ident) implements Node {
        @Override
        public String toString() {
            return String.join(".", ident);
        }
    }

    record Dot(int pos) implements Node {
        @Override
        public String toString() {
            return ".";
        }
    }

    record Nil(int pos) implements Node {
        @Override
        public String toString() {
            return "nil";
        }
    }

    record Field(int pos, List<String> ident) implements Node {
        @Override
        public String toString() {
            return ident.stream().map(i -> "." + i).collect(Collectors.joining());
        }
    }

    /** {@code (pipeline).F.G}: fields of a term that is not dot or a variable. */
    record Chain(int pos, Node node, List<String> fields) implements Node {
        @Override
        public String toString() {
            String s = node instanceof Pipe ? "(" + node + ")" : node.toString();
            return s + fields.stream().map(f -> "." + f).collect(Collectors.joining());
        }
    }

    record Bool(int pos, boolean value) implements Node {
        @Override
        public String toString() {
            return Boolean.toString(value);
        }
    }

    /**
     * A number as Go's parser reads it: the forms it fits ({@code isInt}, {@code isUint}, {@code isFloat})
     * and the original text.
     */
    record Number(int pos, String text, boolean isInt, long intValue, boolean isUint, boolean isFloat,
            double floatValue) implements Node {
        @Override
        public String toString() {
            return text;
        }
    }

    /** A string literal: {@code quoted} is the source text, {@code text} its value. */
    record Str(int pos, String quoted, String text) implements Node {
        @Override
        public String toString() {
            return quoted;
        }
    }
}
