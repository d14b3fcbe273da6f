package dev.berth.cli.template;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * A Go {@code text/template} as Docker's CLI parses it (template name {@code ""}, Docker's functions
 * added to Go's builtins), executed over the same Go values {@code docker plugin} uses.
 *
 * <p>Covered: the whole action language of Go 1.19, which Docker 20.10's CLI is built with (text,
 * comments, trim markers, pipelines, parentheses and field chains on their results, variables with
 * {@code :=} and {@code =}, {@code if}/{@code else if}/{@code with}/{@code range} with {@code else},
 * {@code break}, {@code continue}) and every builtin. {@code define}, {@code template} and {@code block} work
 * within the one template. Not covered: complex numbers. Immutable and
 * thread-safe.
 */
public final class Template {
    private static final Set<String> FUNCTIONS = Builtins.FUNCS.keySet();

    private final String text;
    private final Node.ListNode root;
    private final Map<String, Node.ListNode> defined;

    private Template(String text, Node.ListNode root, Map<String, Node.ListNode> defined) {
        this.text = text;
        this.root = root;
        this.defined = Map.copyOf(defined);
    }

    /**
     * Parses a template.
     *
     * @throws TemplateException with Go's message, e.g. {@code template: :1: function "foo" not defined}
     */
    public static Template parse(String text) {
        Objects.requireNonNull(text, "text");
        Map<String, Node.ListNode> defined = new java.util.HashMap<>();
        Node.ListNode root = Parser.parse("", text, FUNCTIONS, defined);
        return new Template(text, root, defined);
    }

    private String run(Val data, boolean missingKeyError) {
        StringBuilder out = new StringBuilder();
        new Exec("", text, missingKeyError, out, data, Builtins.FUNCS).templates(defined).walk(data, root);
        return out.toString();
    }

    /**
     * A table's header row as Docker's formatter makes it: the template over the map of column names,
     * with the header functions; what was written before an error stands, the error is ignored.
     */
    public String executeHeader(Map<String, String> headers) {
        Map<String, Val> m = new TreeMap<>();
        headers.forEach((k, v) -> m.put(k, Val.of(v)));
        Val data = new Val(GoType.map(GoType.STRING), m);
        StringBuilder out = new StringBuilder();
        try {
            new Exec("", text, false, out, data, Builtins.HEADER_FUNCS).templates(defined).walk(data, root);
        } catch (TemplateException e) {
            // Docker ignores the header's execution error and keeps what was written
        }
        return out.toString();
    }

    /**
     * Executes the template as {@code docker plugin inspect -f} does: over the plugin as a Go
     * {@code types.Plugin}, and if that fails, once more over the plain JSON with missing keys an error,
     * whose result or error then stands.
     *
     * @param plugin the Engine API's JSON object of the plugin, as plain values
     * @throws TemplateException when both executions fail, with the second one's message
     */
    public String executeInspect(Map<String, Object> plugin) {
        try {
            return run(PluginTypes.plugin(plugin), false);
        } catch (TemplateException e) {
            return run(PluginTypes.raw(plugin), true);
        }
    }

    /** Executes the template over plain JSON values, as Go sees them decoded into {@code interface{}}. */
    public String executeJson(Object json) {
        return run(PluginTypes.raw(json), false);
    }

    /**
     * Executes the template as {@code docker plugin ls --format} does, over Docker's plugin formatter
     * context: methods {@code ID}, {@code Name}, {@code Description}, {@code Enabled} and
     * {@code PluginReference}, and a JSON form with those keys in order.
     *
     * @param fields the values of the methods by name ({@code String}, or {@code Boolean} for Enabled)
     */
    public String executeList(Map<String, Object> fields) {
        GoType context = GoType.struct("*plugin.pluginContext");
        Map<String, Object> sorted = new TreeMap<>(fields);
        sorted.forEach((name, value) -> context.methods.put(name,
                r -> value instanceof Boolean b ? Val.of(b) : Val.of((String) value)));
        context.marshal = v -> new LinkedHashMap<>(sorted);
        return run(new Val(context, new LinkedHashMap<String, Val>()), false);
    }
}
