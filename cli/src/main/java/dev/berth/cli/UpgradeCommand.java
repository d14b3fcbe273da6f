package dev.berth.cli;

import dev.berth.PluginManager;
import dev.berth.UpgradeOperation;
import dev.berth.exception.NotFoundException;
import dev.berth.oci.InvalidReferenceException;
import dev.berth.oci.Reference;
import dev.berth.plugin.Plugin;
import dev.berth.plugin.PluginPrivilege;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code berth upgrade}: Docker's upgrade flow, remote check and privilege prompt included. */
@Command(name = "upgrade", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Upgrade an existing plugin in place (it must be disabled).",
                "REMOTE defaults to the plugin's current reference."})
final class UpgradeCommand implements Callable<Integer> {
    @ParentCommand
    Berth berth;

    @Spec
    CommandSpec spec;

    @Option(names = "--grant-all-permissions", description = "Grant all permissions necessary to run the plugin.")
    boolean grantAll;

    @Option(names = "--skip-remote-check", description = "Do not check if the specified remote plugin matches the existing plugin.")
    boolean skipRemoteCheck;

    @Parameters(index = "0", paramLabel = "NAME", description = "Plugin name or ID.")
    String name;

    @Parameters(index = "1", arity = "0..1", paramLabel = "REMOTE", description = "A reference or oci:DIR[:TAG].")
    String remote;

    @Override
    public Integer call() {
        Remote r = null;
        if (remote != null) {
            try {
                r = Remote.parse(remote);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
        }
        try (Session s = new Session(berth)) {
            PluginManager manager = r == null ? s.manager() : s.manager(s.resolverFor(r));
            Plugin p;
            try {
                p = manager.inspect(name);
            } catch (NotFoundException e) {
                // Docker's CLI inspects first and prints the client's not-found wording after its own prefix
                throw new Messages.Verbatim("error reading plugin data: " + Messages.noSuchPlugin(name));
            } catch (RuntimeException e) {
                throw new Messages.Verbatim("error reading plugin data: " + Messages.line(e));
            }
            if (p.enabled()) {
                throw new Messages.Verbatim("the plugin must be disabled before upgrading");
            }
            if (r == null) {
                if (Remote.isLayoutReference(p.pluginReference())) {
                    throw new ParameterException(spec.commandLine(), "plugin " + p.name()
                            + " was installed from an OCI layout: give the REMOTE (oci:DIR[:TAG]) to upgrade from");
                }
                r = Remote.parse(p.pluginReference());
            }
            String old = familiar(p.pluginReference());
            String next = r.layout().isPresent() ? r.typed() : familiar(r.reference());
            s.status("Upgrading plugin " + p.name() + " from " + old + " to " + next);
            if (!skipRemoteCheck && !sameReference(p.pluginReference(), r.reference())) {
                if (!s.confirm("Plugin images do not match, are you sure? [y/N] ")) {
                    throw new Messages.Verbatim("canceling upgrade request");
                }
            }
            UpgradeOperation op = manager.upgrade(p.id()).remote(r.reference());
            List<PluginPrivilege> privileges = op.privileges(); // kept by op: run() upgrades to what was granted
            s.acceptPrivileges(r.typed(), privileges, grantAll, "Permission denied while upgrading plugin " + p.name());
            op.grant(privileges).run();
            s.finishProgress();
            s.status("Upgraded plugin " + p.name() + " to " + r.typed());
        }
        return 0;
    }

    private static String familiar(String reference) {
        try {
            return Reference.parse(reference).familiar();
        } catch (InvalidReferenceException e) {
            return reference;
        }
    }

    /**
     * Docker compares the two references with {@code :latest} added, as full strings, so a new tag of
     * the same repository already asks. Same here.
     */
    private static boolean sameReference(String current, String next) {
        try {
            return Reference.parse(current).withDefaultTag().toString()
                    .equals(Reference.parse(next).withDefaultTag().toString());
        } catch (InvalidReferenceException e) {
            return false;
        }
    }
}
