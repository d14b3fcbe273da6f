package dev.berth.cli;

import dev.berth.Events;
import dev.berth.cli.template.TemplateException;
import dev.berth.event.EventFilter;
import dev.berth.event.EventMessage;
import dev.berth.exception.InvalidParameterException;
import dev.berth.json.DockerJson;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code berth events}: the plugin events of the root's journal, printed as {@code docker events} prints
 * plugin events. It prints what the journal holds and returns; it does not follow (a second call with
 * {@code --since} continues where the last one ended). The root is only read: no lock is taken, so it
 * works while another process manages the root.
 */
@Command(name = "events", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Print the plugin events recorded in the root's journal, oldest first.",
                "Prints what is recorded and returns: it does not wait for new events."})
final class EventsCommand implements Callable<Integer> {
    /** Go's {@code jsonmessage.RFC3339NanoFixed}: nanoseconds always nine digits, {@code Z} for UTC. */
    private static final DateTimeFormatter FIXED = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSSXXX");

    @ParentCommand
    Berth berth;

    @Spec
    CommandSpec spec;

    @Option(names = "--since", paramLabel = "TIME",
            description = "Only events at or after TIME: RFC 3339 (2006-01-02T15:04:05Z, 2006-01-02), Unix seconds, "
                    + "or a duration before now (10m, 1h30m).")
    String since;

    @Option(names = "--until", paramLabel = "TIME", description = "Only events at or before TIME (same forms as --since).")
    String until;

    @Option(names = {"-f", "--filter"}, paramLabel = "KEY=VALUE",
            description = "Filter: type=plugin, event=ACTION, plugin=NAME|ID (prefix), scope=local (repeatable).")
    List<String> filters = new ArrayList<>();

    @Option(names = "--format", paramLabel = "FORMAT",
            description = "A Go template over Docker's event message ({{.Type}}, {{.Action}}, {{.Actor.ID}}, "
                    + "{{.Actor.Attributes.name}}, {{.Time}}, {{.TimeNano}}, {{.Scope}}), or json.")
    String format;

    @Override
    public Integer call() {
        EventFilter filter;
        Instant now = Instant.now();
        ZoneId zone = ZoneId.systemDefault();
        try {
            filter = EventFilter.parse(filters);
            if (since != null) {
                filter = filter.since(EventFilter.parseTime(since, now, zone));
            }
            if (until != null) {
                filter = filter.until(EventFilter.parseTime(until, now, zone));
            }
        } catch (InvalidParameterException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        GoTemplate template = null;
        boolean json = format != null && format.strip().equals("json");
        if (format != null && !format.isBlank() && !json) {
            String text = format;
            try {
                template = GoTemplate.parse(text);
            } catch (TemplateException e) {
                throw new ParameterException(spec.commandLine(), "template parsing error: " + e.getMessage());
            }
        }
        try (Session s = new Session(berth)) {
            List<EventMessage> events = Events.read(s.root(), filter);
            PrintWriter out = s.out();
            for (EventMessage m : events) {
                // "json" writes Docker's events.Message in its struct's field order; a template sees a map,
                // whose {{json .}} Go writes with sorted keys.
                out.println(json ? DockerJson.encode(message(m)) : template == null ? line(m, zone)
                        : template.execute(context(m)));
            }
            out.flush();
        }
        return 0;
    }

    /** Docker's line: {@code TIME TYPE ACTION ID (k=v, k=v)}, the time in the local zone. */
    static String line(EventMessage m, ZoneId zone) {
        StringBuilder b = new StringBuilder()
                .append(FIXED.format(ZonedDateTime.ofInstant(m.time(), zone)))
                .append(' ').append(m.type()).append(' ').append(m.action()).append(' ').append(m.id());
        if (!m.attributes().isEmpty()) {
            StringJoiner attrs = new StringJoiner(", ", " (", ")");
            for (Map.Entry<String, String> a : m.attributes().entrySet()) {
                attrs.add(a.getKey() + "=" + a.getValue());
            }
            b.append(attrs);
        }
        return b.toString();
    }

    /**
     * Docker's event message as its JSON has it, as plain values in Go's field order (the deprecated
     * status, id and from are empty for plugins and omitted).
     */
    static Object context(EventMessage m) {
        // Through JSON and back, so that the template sees what Go's decoder gives: numbers as JSON numbers.
        return DockerJson.parse(DockerJson.encode(message(m)));
    }

    /** Docker's event message in its struct's field order. */
    static Map<String, Object> message(EventMessage m) {
        Map<String, Object> actor = new LinkedHashMap<>();
        actor.put("ID", m.id());
        actor.put("Attributes", new LinkedHashMap<>(m.attributes()));
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("Type", m.type());
        message.put("Action", m.action());
        message.put("Actor", actor);
        message.put("scope", "local");
        message.put("time", m.time().getEpochSecond());
        message.put("timeNano", m.time().getEpochSecond() * 1_000_000_000L + m.time().getNano());
        return message;
    }
}
