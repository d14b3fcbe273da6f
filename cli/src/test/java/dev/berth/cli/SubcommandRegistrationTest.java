package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * A command line that plainly runs one subcommand gets a model with only that one: the name table agrees
 * with the annotations, the pre-scan finds the subcommand only where picocli would run it, and what a
 * subcommand prints for help and usage errors is the same with one subcommand registered as with all.
 */
class SubcommandRegistrationTest {
    @Test
    void nameTable_isEveryNameAndAliasTheSubcommandsDeclare() {
        Map<String, Class<?>> declared = new HashMap<>();
        for (Class<?> c : Berth.SUBCOMMANDS) {
            Command command = c.getAnnotation(Command.class);
            if (c == CommandLine.HelpCommand.class) {
                continue; // "help" gets the whole model
            }
            declared.put(command.name(), c);
            for (String alias : command.aliases()) {
                declared.put(alias, c);
            }
        }
        assertThat(Berth.SUBCOMMAND_NAMES).isEqualTo(declared);
    }

    static Stream<Arguments> commandLines() {
        return Stream.of(
                Arguments.of(List.of("install", "x"), InstallCommand.class),
                Arguments.of(List.of("-q", "--root", "/r", "ls"), LsCommand.class),
                Arguments.of(List.of("--root=/r", "--exec-root", "install", "list"), LsCommand.class),
                Arguments.of(List.of("-D", "--insecure-registry", "h:5000", "remove", "p"), RmCommand.class),
                Arguments.of(List.of("--registry-mirror=http://m", "--debug", "push", "--help"), PushCommand.class),
                // the whole model decides
                Arguments.of(List.of(), null),
                Arguments.of(List.of("--help"), null),
                Arguments.of(List.of("-V", "ls"), null),
                Arguments.of(List.of("-Dq", "ls"), null),
                Arguments.of(List.of("--bogus", "ls"), null),
                Arguments.of(List.of("help", "install"), null),
                Arguments.of(List.of("instal", "x"), null),
                Arguments.of(List.of("--root"), null));
    }

    @ParameterizedTest
    @MethodSource("commandLines")
    void invoked_isTheSubcommandPicocliWouldRun_orEmpty(List<String> args, Class<?> expected) {
        assertThat(Berth.invoked(args.toArray(String[]::new))).isEqualTo(Optional.ofNullable(expected));
    }

    static Stream<List<String>> subcommandOutputs() {
        // none of these runs a command: help, or a usage error before anything is opened
        return Berth.SUBCOMMAND_NAMES.keySet().stream().sorted().flatMap(name -> Stream.of(
                List.of(name, "--help"), List.of("-q", name, "--no-such-option")));
    }

    @ParameterizedTest
    @MethodSource("subcommandOutputs")
    void helpAndUsageErrors_sameWithOneSubcommandAsWithAll(List<String> args) {
        String[] argv = args.toArray(String[]::new);
        assertThat(run(argv, Berth.invoked(argv))).isEqualTo(run(argv, Optional.empty()));
    }

    private static String run(String[] args, Optional<Class<?>> only) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Berth berth = new Berth(Terminal.NONE, Map.of());
        int code = Berth.commandLine(berth, new PrintWriter(out), new PrintWriter(err), only).execute(args);
        return code + "\n" + out + "\n--\n" + err;
    }
}
