package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.PluginManager;
import dev.berth.archive.TarRootfsApplier;
import dev.berth.cli.CliRunner.Result;
import dev.berth.event.EventMessage;
import dev.berth.json.DockerJson;
import dev.berth.store.FileContentStore;
import dev.berth.testkit.registry.InMemoryRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code berth events}: the journal printed as {@code docker events} prints plugin events. */
class EventsCommandTest {
    private static final String LINE = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}(Z|[+-]\\d\\d:\\d\\d) plugin ";

    @TempDir
    Path temp;
    CliRunner cli;

    @BeforeEach
    void setUp() {
        cli = new CliRunner(temp);
    }

    private String create(String name) {
        Path ctx = CliRunner.context(temp.resolve("ctx-" + name), CliRunner.plainConfig(name));
        Result r = cli.run("create", name, ctx.toString());
        assertThat(r.code()).as(r.err()).isZero();
        return cli.run("inspect", "-f", "{{.Id}}", name).out().strip();
    }

    @Nested
    class Events {
        @Test
        void events_afterCreateAndRemove_printsDockersLinesOldestFirst() {
            String a = create("a");
            assertThat(cli.run("rm", "a").code()).isZero();

            Result r = cli.run("events");

            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.outLines()).hasSize(2);
            assertThat(r.outLines().get(0)).matches(LINE + "create " + a + " \\(name=a:latest\\)");
            assertThat(r.outLines().get(1)).matches(LINE + "remove " + a + " \\(name=a:latest\\)");
        }

        @Test
        void events_filters_selectByEventAndPlugin() {
            String a = create("vol-a");
            String b = create("web-b");
            cli.run("rm", "vol-a");

            assertThat(cli.run("events", "--filter", "event=remove").outLines())
                    .singleElement().asString().contains("remove " + a);
            assertThat(cli.run("events", "-f", "plugin=web", "-f", "type=plugin").outLines())
                    .singleElement().asString().contains("create " + b);
            assertThat(cli.run("events", "-f", "container=x").outLines()).isEmpty();
            Result bad = cli.run("events", "-f", "colour=red");
            assertThat(bad.code()).isEqualTo(2);
            assertThat(bad.err()).contains("invalid filter 'colour'");
        }

        @Test
        void events_sinceAndUntil_acceptDockersForms() {
            create("a");
            assertThat(cli.run("events", "--since", "10m").outLines()).hasSize(1);
            assertThat(cli.run("events", "--until", "10m").outLines()).isEmpty();
            assertThat(cli.run("events", "--since", "2000-01-01T00:00:00Z", "--until",
                    Long.toString(Instant.now().getEpochSecond() + 60)).outLines()).hasSize(1);
            assertThat(cli.run("events", "--since", "2000-01-01").outLines()).hasSize(1);
            assertThat(cli.run("events", "--until", "2000-01-01T10:00").outLines()).isEmpty();
            Result bad = cli.run("events", "--since", "yesterday");
            assertThat(bad.code()).isEqualTo(2);
            assertThat(bad.err()).contains("failed to parse value as time or duration: \"yesterday\"");
        }

        @Test
        void events_format_isAGoTemplateOverDockersMessage() {
            String a = create("a");
            Result formatted = cli.run("events", "--format", "{{.Type}} {{.Action}} {{.Actor.ID}} {{.Actor.Attributes.name}}");
            assertThat(formatted.outLines()).as(formatted.err()).containsExactly("plugin create " + a + " a:latest");
            String json = cli.run("events", "--format", "json").out().strip();
            Object o = DockerJson.parse(json);
            assertThat(o).isInstanceOf(java.util.Map.class);
            assertThat(((java.util.Map<?, ?>) o).keySet().stream().map(String::valueOf).toList())
                    .containsExactly("Type", "Action", "Actor", "scope", "time", "timeNano");
            // {{json .}} runs over the message as a map, which Go writes with sorted keys
            assertThat(DockerJson.parse(cli.run("events", "--format", "{{json .}}").out().strip())).isEqualTo(o);
        }

        @Test
        void events_emptyRoot_printsNothing() {
            Result r = cli.run("events");
            assertThat(r.code()).isZero();
            assertThat(r.out()).isEmpty();
        }

        @Test
        void events_whileAnotherManagerHoldsTheRoot_readsTheJournal() throws IOException {
            create("a");
            try (PluginManager holder = PluginManager.builder().root(cli.root())
                    .contentStore(FileContentStore.open(cli.root().resolve("storage")))
                    .registryResolver(new InMemoryRegistry()).rootfsApplier(TarRootfsApplier.create()).build()) {
                // $BERTH_ROOT_LOCK_WAIT=0: fail at once instead of the default five minutes' wait
                Result ls = CliRunner.runWithEnv(Map.of("HOME", System.getProperty("java.io.tmpdir"),
                        "BERTH_ROOT_LOCK_WAIT", "0"), Terminal.NONE, "--root", cli.root().toString(), "--exec-root",
                        cli.execRoot().toString(), "--config", cli.config().toString(), "ls");
                assertThat(ls.code()).as("the root is locked").isEqualTo(1);
                assertThat(ls.err()).contains("in use by another plugin manager");
                Result bad = CliRunner.runWithEnv(Map.of("HOME", System.getProperty("java.io.tmpdir"),
                        "BERTH_ROOT_LOCK_WAIT", "soon"), Terminal.NONE, "--root", cli.root().toString(), "ls");
                assertThat(bad.code()).isEqualTo(1);
                assertThat(bad.err()).contains("invalid $BERTH_ROOT_LOCK_WAIT \"soon\"");
                Result r = cli.run("events");
                assertThat(r.code()).as(r.err()).isZero();
                assertThat(r.outLines()).hasSize(1);
                assertThat(holder.events().journal()).extracting(EventMessage::action).containsExactly("create");
            }
        }
    }

    @Test
    void line_utcAndOffsetZones_formatAsGosRfc3339NanoFixed() {
        EventMessage m = new EventMessage("plugin", "enable", "abc", Map.of("name", "x:latest"),
                Instant.parse("2026-01-02T03:04:05.000000007Z"));
        assertThat(EventsCommand.line(m, ZoneOffset.UTC))
                .isEqualTo("2026-01-02T03:04:05.000000007Z plugin enable abc (name=x:latest)");
        assertThat(EventsCommand.line(m, ZoneOffset.ofHours(2)))
                .isEqualTo("2026-01-02T05:04:05.000000007+02:00 plugin enable abc (name=x:latest)");
        assertThat(List.of(EventsCommand.line(new EventMessage("plugin", "die", "abc", Map.of(), m.time()), ZoneOffset.UTC)))
                .containsExactly("2026-01-02T03:04:05.000000007Z plugin die abc");
    }
}
