package dev.berth.cli;

import dev.berth.exception.PluginException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * The {@code berth} command: Docker's {@code docker plugin} commands over {@link dev.berth.PluginManager},
 * without a daemon. Run as {@code java -jar berth.jar [OPTIONS] COMMAND}.
 *
 * <p>Exit codes: 0 on success, 1 when an operation failed (one line on standard error; the stack trace
 * only with {@code --debug}), 2 for a usage error.
 *
 * <p>One instance serves one command line and is not thread-safe. Each command opens the plugin root,
 * does its work and closes it again; enabled plugins keep running between commands (live restore) and
 * the next command re-attaches to them.
 */
@Command(name = "berth",
        mixinStandardHelpOptions = true,
        versionProvider = Berth.Version.class,
        synopsisSubcommandLabel = "COMMAND",
        description = {"Manage Docker-compatible plugins without a Docker daemon.", ""},
        commandListHeading = "%nCommands:%n",
        optionListHeading = "Options:%n",
        footer = {"", "Run 'berth COMMAND --help' for more information on a command.",
                "REMOTE is a registry reference (localhost:5000/acme/volume:1.0)",
                "or oci:DIR[:TAG] for an OCI image-layout directory, or oci-archive:FILE[:TAG] for one in a tar."})
public final class Berth implements Callable<Integer> {
    /** The subcommands, in the order the help lists them (registered in {@link #commandLine}). */
    static final List<Class<?>> SUBCOMMANDS = List.of(
            CreateCommand.class, InstallCommand.class, LsCommand.class, InspectCommand.class,
            EnableCommand.class, DisableCommand.class, RmCommand.class, SetCommand.class,
            PushCommand.class, UpgradeCommand.class, PrivilegesCommand.class, GcCommand.class, EventsCommand.class,
            SaveCommand.class, LoadCommand.class,
            DemoCommand.class, CommandLine.HelpCommand.class);
    /** Every name and alias of a subcommand but {@code help}; a test keeps it equal to their annotations. */
    static final Map<String, Class<?>> SUBCOMMAND_NAMES = Map.ofEntries(
            Map.entry("create", CreateCommand.class), Map.entry("install", InstallCommand.class),
            Map.entry("ls", LsCommand.class), Map.entry("list", LsCommand.class),
            Map.entry("inspect", InspectCommand.class), Map.entry("enable", EnableCommand.class),
            Map.entry("disable", DisableCommand.class), Map.entry("rm", RmCommand.class),
            Map.entry("remove", RmCommand.class), Map.entry("set", SetCommand.class),
            Map.entry("push", PushCommand.class), Map.entry("upgrade", UpgradeCommand.class),
            Map.entry("privileges", PrivilegesCommand.class), Map.entry("gc", GcCommand.class),
            Map.entry("events", EventsCommand.class), Map.entry("save", SaveCommand.class),
            Map.entry("load", LoadCommand.class), Map.entry("demo", DemoCommand.class));
    /** The top-level options that take a value. */
    private static final Set<String> VALUED_OPTIONS = Set.of("--root", "--exec-root", "--config",
            "--insecure-registry", "--registry-mirror");
    /** The top-level flags that let a command run (help and version print instead). */
    private static final Set<String> FLAGS = Set.of("-D", "--debug", "-q", "--quiet");

    /** Exit code of a failed operation. */
    static final int FAILED = 1;
    /** Exit code of a usage error (picocli's default for invalid input). */
    static final int USAGE = 2;

    @Spec
    CommandSpec spec;

    @Option(names = "--root", paramLabel = "DIR",
            description = "Where plugins and their blobs live (default: $BERTH_ROOT, else ~/.local/share/berth).")
    Path root;

    @Option(names = "--exec-root", paramLabel = "DIR",
            description = "Where running plugins get their socket directories (default: ${DEFAULT-VALUE}).",
            defaultValue = "/run/berth/plugins")
    Path execRoot;

    @Option(names = "--config", paramLabel = "DIR",
            description = "Docker client configuration directory, for registry credentials (default: $DOCKER_CONFIG, else ~/.docker).")
    Path config;

    @Option(names = "--insecure-registry", paramLabel = "HOST[:PORT]",
            description = "A registry that may be reached over plain HTTP (repeatable; loopback registries always may).")
    List<String> insecureRegistries = new ArrayList<>();

    @Option(names = "--registry-mirror", paramLabel = "URL", description = "A Docker Hub mirror, tried first (repeatable).")
    List<URI> mirrors = new ArrayList<>();

    @Option(names = {"-D", "--debug"}, description = "Debug output, and stack traces with errors.")
    boolean debug;

    @Option(names = {"-q", "--quiet"}, description = "Print only results: no progress or status lines.")
    boolean quiet;

    final Terminal terminal;
    final Map<String, String> env;

    /** The command as {@code main} runs it: the process's console and environment. */
    public Berth() {
        this(Terminal.system(), System.getenv());
    }

    Berth(Terminal terminal, Map<String, String> env) {
        this.terminal = Objects.requireNonNull(terminal, "terminal");
        this.env = Map.copyOf(env);
    }

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing command");
    }

    /** Runs the command line and exits with its code. */
    public static void main(String[] args) {
        configureLogging(args);
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        int code = run(new Berth(), args, out, err);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /**
     * Runs one command line in this JVM without a terminal (no prompts, no progress bars), with the
     * process's environment: for embedding the tool and for tests. Does not exit.
     *
     * @return the exit code: 0, 1 for a failed operation, 2 for a usage error
     */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(err, "err");
        Objects.requireNonNull(args, "args");
        return run(new Berth(Terminal.NONE, System.getenv()), args, out, err);
    }

    /**
     * Runs one command line.
     *
     * @return the exit code: 0, {@link #FAILED} or {@link #USAGE}
     */
    static int run(Berth berth, String[] args, PrintWriter out, PrintWriter err) {
        if (TopLevelHelp.printIfAsked(args, out)) {
            out.flush();
            return 0;
        }
        int code = commandLine(berth, out, err, invoked(args)).execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /**
     * A runner of many command lines on one command model, for callers that run hundreds in a row (picocli
     * builds its model by reflection, which costs more than most commands); options start from their
     * defaults on every run. Not thread-safe.
     */
    static java.util.function.ToIntFunction<String[]> runner(PrintWriter out, PrintWriter err) {
        CommandLine cl = commandLine(new Berth(Terminal.NONE, System.getenv()), out, err, Optional.empty());
        return args -> {
            int code = cl.execute(args);
            out.flush();
            err.flush();
            return code;
        };
    }

    /**
     * The subcommand a command line runs, when its words make that plain: the first word after the
     * top-level options, if it names one. Empty for help, version, clustered or unknown options and
     * anything else: those get the whole command model.
     */
    static Optional<Class<?>> invoked(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (VALUED_OPTIONS.contains(a)) {
                i++; // its value
            } else if (a.startsWith("--") && VALUED_OPTIONS.contains(a.substring(0, Math.max(0, a.indexOf('='))))) {
                continue; // --option=value
            } else if (!FLAGS.contains(a)) {
                return a.startsWith("-") ? Optional.empty() : Optional.ofNullable(SUBCOMMAND_NAMES.get(a));
            }
        }
        return Optional.empty();
    }

    /**
     * The command model. picocli builds a subcommand's model by reflection over its annotations, ~0.1 s
     * for all of them in a fresh JVM, so a command line that plainly runs one subcommand gets only that
     * one; its parsing, help and errors are the same, since a subcommand's model does not depend on its
     * siblings.
     *
     * @param only the one subcommand to register, or empty for all
     */
    static CommandLine commandLine(Berth berth, PrintWriter out, PrintWriter err, Optional<Class<?>> only) {
        CommandLine cl = new CommandLine(berth);
        List<Class<?>> subcommands = only.isPresent() ? List.of(only.get()) : SUBCOMMANDS;
        for (Class<?> sub : subcommands) {
            cl.addSubcommand(sub);
        }
        // after the subcommands: these settings reach only the subcommands already added
        return cl
                .setOut(out)
                .setErr(err)
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setExecutionExceptionHandler((e, commandLine, parseResult) -> {
                    commandLine.getErr().println(Messages.line(e));
                    if (berth.debug) {
                        StringWriter trace = new StringWriter();
                        e.printStackTrace(new PrintWriter(trace));
                        commandLine.getErr().print(trace);
                    }
                    commandLine.getErr().flush();
                    return FAILED;
                })
                .setParameterExceptionHandler((e, args1) -> {
                    CommandLine c = e.getCommandLine();
                    c.getErr().println("Error: " + e.getMessage());
                    c.getErr().println("See '" + c.getCommandSpec().qualifiedName() + " --help'.");
                    c.getErr().flush();
                    return USAGE;
                });
    }

    /** One line for an error: Berth's messages name their subject; other exceptions get their type. */
    static String message(Throwable e) {
        if (e instanceof OperationFailed || e instanceof PluginException || e instanceof IllegalArgumentException) {
            return e.getMessage();
        }
        if (e instanceof UncheckedIOException u && u.getCause() != null) {
            return u.getMessage() + ": " + u.getCause().getMessage();
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    /**
     * SLF4J-simple reads its level once, before the first logger exists, so {@code -D} is looked for
     * before picocli parses anything. Library warnings stay visible; info goes to debug mode.
     */
    private static void configureLogging(String[] args) {
        boolean debug = false;
        for (String a : args) {
            if (!a.startsWith("-")) {
                break;
            }
            if (a.equals("-D") || a.equals("--debug")) {
                debug = true;
            }
        }
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", debug ? "debug" : "warn");
        }
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
    }

    /** The version from the jar's manifest, when there is one. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Berth.class.getPackage().getImplementationVersion();
            return new String[] {"berth " + (v == null ? "(development build)" : v)};
        }
    }

    /** An operation error with a message for the user, exit code {@link #FAILED}. */
    static final class OperationFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        OperationFailed(String message) {
            super(message);
        }
    }
}
