package dev.berth.cli;

import dev.berth.InstallOperation;
import dev.berth.PluginManager;
import dev.berth.oci.InvalidReferenceException;
import dev.berth.oci.Reference;
import dev.berth.plugin.Plugin;
import dev.berth.plugin.PluginPrivilege;
import dev.berth.registry.layout.OciArchive;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code berth load}: installs every plugin of an OCI archive, as {@code docker load} does for images. The
 * privileges of all of them are shown and granted first (as install does); then each is installed. If one
 * fails, the plugins this load installed are removed again, so the root is as it was.
 */
@Command(name = "load", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Install every plugin of an OCI archive (tar), as written by berth save or skopeo.",
                "A plugin is named by its io.containerd.image.name (or a full-reference ref.name), else "
                        + "FILE-NAME:TAG. The privileges are shown and must be granted as for install.",
                "Without -i, or with -i -, the archive is read from standard input (then use "
                        + "--grant-all-permissions for plugins that ask for privileges)."})
final class LoadCommand implements Callable<Integer> {
    @ParentCommand
    Berth berth;

    @Option(names = {"-i", "--input"}, paramLabel = "FILE", description = "Read from a file instead of standard input.")
    String input;

    @Option(names = "--disable", description = "Do not enable the plugins.")
    boolean disable;

    @Option(names = "--grant-all-permissions", description = "Grant all permissions necessary to run the plugins.")
    boolean grantAll;

    /** One plugin to install: what to look up in the archive, the local name, the name in messages. */
    private record Item(String remote, Optional<String> alias, String shown) {
    }

    @Override
    public Integer call() {
        boolean stdin = input == null || input.equals("-");
        if (stdin && berth.terminal.interactive()) {
            throw new Berth.OperationFailed("requested load from stdin, but stdin is empty");
        }
        try (Session s = new Session(berth)) {
            OciArchive archive = s.archive(Path.of(stdin ? "-" : input));
            String file = stdin ? "stdin" : Remote.repositoryName(Path.of(input).toAbsolutePath());
            List<Item> items = new ArrayList<>();
            for (OciArchive.Entry e : archive.entries()) {
                items.add(item(e, file));
            }
            if (items.isEmpty()) {
                throw new Berth.OperationFailed("the archive lists no plugins");
            }
            PluginManager manager = s.manager(archive);
            if (!disable && s.runtimeProblem().isPresent()) {
                throw new Berth.OperationFailed("cannot load and enable plugins: " + s.runtimeProblem().get()
                        + " (load with --disable to only install them)");
            }
            // every entry's privileges are granted before the first install; each operation keeps the
            // manifest and config it read for them
            List<InstallOperation> ops = new ArrayList<>();
            for (Item item : items) {
                InstallOperation op = manager.install(item.remote());
                item.alias().ifPresent(op::alias);
                if (disable) {
                    op.disabled();
                }
                List<PluginPrivilege> privileges = op.privileges();
                s.acceptPrivileges(item.shown(), privileges, grantAll,
                        "Permission denied while loading plugin " + item.shown());
                ops.add(op.grant(privileges));
            }
            List<Plugin> installed = new ArrayList<>();
            try {
                for (InstallOperation op : ops) {
                    installed.add(op.run());
                }
            } catch (RuntimeException e) {
                for (Plugin p : installed) {
                    try {
                        manager.remove(p.id(), true);
                    } catch (RuntimeException suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
                throw e;
            }
            s.finishProgress();
            for (Plugin p : installed) {
                s.status("Loaded plugin: " + p.name());
            }
        }
        return 0;
    }

    /**
     * How to install one entry: by its full name when the archive gives one (the plugin then records that
     * reference, so a later upgrade goes to its registry), else by digest under {@code FILE-NAME:TAG}.
     */
    private static Item item(OciArchive.Entry e, String file) {
        if (e.imageName().isPresent()) {
            try {
                Reference ref = Reference.parse(e.imageName().get());
                if (ref.digest().isEmpty()) {
                    return new Item(ref.toString(), Optional.empty(), ref.familiar());
                }
            } catch (InvalidReferenceException ignored) {
                // named oddly: fall back to the file's name
            }
        }
        String tag = e.refName().filter(t -> t.matches("[\\w][\\w.-]{0,127}")).orElse(Reference.DEFAULT_TAG);
        String alias = file + ":" + tag;
        return new Item(Remote.LAYOUT_DOMAIN + "/" + file + ":" + tag + "@" + e.descriptor().digest(),
                Optional.of(alias), alias);
    }
}
