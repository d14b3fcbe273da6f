package dev.berth.cli;

import dev.berth.InstallOperation;
import dev.berth.PluginManager;
import dev.berth.plugin.PluginPrivilege;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code berth install}: Docker's install flow, privilege prompt included. */
@Command(name = "install", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Install a plugin from a registry or an OCI layout.",
                "The privileges the plugin asks for are shown and must be granted: on a terminal by answering y, "
                        + "elsewhere with --grant-all-permissions."})
final class InstallCommand implements Callable<Integer> {
    @ParentCommand
    Berth berth;

    @Spec
    CommandSpec spec;

    @Option(names = "--alias", paramLabel = "NAME", description = "Local name for the plugin.")
    String alias;

    @Option(names = "--disable", description = "Do not enable the plugin on install.")
    boolean disable;

    @Option(names = "--grant-all-permissions", description = "Grant all permissions necessary to run the plugin.")
    boolean grantAll;

    @Parameters(index = "0", paramLabel = "REMOTE", description = "Where the plugin is: a reference or oci:DIR[:TAG].")
    String remote;

    @Parameters(index = "1..*", paramLabel = "KEY=VALUE", description = "Settings applied before the plugin is enabled.")
    List<String> settings = new ArrayList<>();

    @Override
    public Integer call() {
        Remote r;
        try {
            r = Remote.parse(remote);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        try (Session s = new Session(berth)) {
            PluginManager manager = s.manager(s.resolverFor(r));
            if (!disable && s.runtimeProblem().isPresent()) {
                throw new Berth.OperationFailed("cannot install and enable " + r.typed() + ": "
                        + s.runtimeProblem().get() + " (install with --disable to only install it)");
            }
            List<PluginPrivilege> privileges = manager.privileges(r.reference());
            s.acceptPrivileges(r.typed(), privileges, grantAll, "Permission denied while installing plugin " + r.typed());
            InstallOperation op = manager.install(r.reference()).grant(privileges);
            String name = alias != null ? alias : r.defaultAlias().orElse(null);
            if (name != null) {
                op.alias(name);
            }
            if (disable) {
                op.disabled();
            }
            if (!settings.isEmpty()) {
                op.setting(settings.toArray(String[]::new));
            }
            op.run();
            s.finishProgress();
            s.status("Installed plugin " + r.typed());
        }
        return 0;
    }
}
