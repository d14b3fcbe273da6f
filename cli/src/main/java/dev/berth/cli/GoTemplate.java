package dev.berth.cli;

import dev.berth.cli.template.Template;
import dev.berth.cli.template.TemplateException;
import dev.berth.json.DockerJson;
import dev.berth.plugin.Plugin;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code --format} templates of {@code berth inspect} and {@code berth ls}: Go's
 * {@code text/template} ({@link Template}) over the values Docker's CLI gives them, so that a script's
 * format prints the same bytes as with {@code docker plugin}. Immutable.
 */
final class GoTemplate {
    private final Template template;

    private GoTemplate(Template template) {
        this.template = template;
    }

    /**
     * Parses a template as Docker's CLI does (named {@code ""}).
     *
     * @throws TemplateException with Go's message
     */
    static GoTemplate parse(String text) {
        return new GoTemplate(Template.parse(text));
    }

    /**
     * {@code docker plugin inspect -f}: over Go's {@code types.Plugin}, falling back to the plain JSON
     * when that fails, as Docker's inspector does.
     *
     * @throws TemplateException when both fail
     */
    String executeInspect(Plugin plugin) {
        @SuppressWarnings("unchecked")
        Map<String, Object> doc = (Map<String, Object>) DockerJson.parse(DockerJson.plugin(plugin));
        return template.executeInspect(doc);
    }

    /** Over plain JSON values ({@link DockerJson#parse}), as Go sees them decoded into {@code interface{}}. */
    String execute(Object json) {
        return template.executeJson(json);
    }

    /** {@code docker plugin ls --format}: over Docker's plugin formatter context. */
    String executeList(Map<String, Object> fields) {
        return template.executeList(fields);
    }

    /** A table's header row, as Docker's formatter runs the template over the column names. */
    String executeHeader() {
        return template.executeHeader(HEADERS);
    }

    /** The formatter context of one plugin, as Docker's {@code pluginContext} methods return them. */
    static Map<String, Object> listFields(Plugin p, boolean truncate) {
        String description = p.config().description().replace("\n", "").replace("\r", "");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Description", truncate ? LsCommand.ellipsis(description, LsCommand.DESCRIPTION_WIDTH) : description);
        m.put("Enabled", p.enabled());
        m.put("ID", truncate ? p.id().substring(0, 12) : p.id());
        m.put("Name", p.name());
        m.put("PluginReference", p.pluginReference());
        return m;
    }

    /** The names a table's header row shows, Docker's plugin formatter's header map. */
    static final Map<String, String> HEADERS = Map.of("Description", "DESCRIPTION", "Enabled", "ENABLED",
            "ID", "ID", "Name", "NAME", "PluginReference", "IMAGE");

    static final List<String> NAMES = List.of("Description", "Enabled", "ID", "Name", "PluginReference");
}
