package dev.berth.cli;

import dev.berth.InstallOperation;
import dev.berth.PluginManager;
import dev.berth.oci.Platform;
import dev.berth.oci.Reference;
import dev.berth.plugin.PluginPrivilege;
import dev.berth.registry.layout.OciArchive;
import dev.berth.remote.RegistryResolver;
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
        description = {"Install a plugin from a registry, an OCI layout or an OCI archive.",
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

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", converter = PlatformConverter.class,
            description = "The platform to select when REMOTE is a manifest list or an OCI index (the host's by default).")
    Platform platform;

    @Parameters(index = "0", paramLabel = "REMOTE",
            description = "Where the plugin is: a reference, oci:DIR[:TAG] or oci-archive:FILE[:TAG].")
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
            RegistryResolver resolver = s.resolverFor(r);
            if (r.archive().isPresent() && !r.tagged()) {
                // skopeo's rule: oci-archive:FILE without a tag means the archive's only entry
                List<OciArchive.Entry> entries = s.archive(r.archive().get()).entries();
                if (entries.size() == 1) {
                    r = r.withDigest(entries.get(0).descriptor().digest(),
                            entries.get(0).refName().filter(t -> t.matches("[\\w][\\w.-]{0,127}"))
                                    .orElse(Reference.DEFAULT_TAG));
                }
            }
            PluginManager manager = s.manager(resolver);
            if (!disable && s.runtimeProblem().isPresent()) {
                throw new Berth.OperationFailed("cannot install and enable " + r.typed() + ": "
                        + s.runtimeProblem().get() + " (install with --disable to only install it)");
            }
            InstallOperation op = manager.install(r.reference());
            String name = alias != null ? alias : r.defaultAlias().orElse(null);
            if (name != null) {
                op.alias(name);
            }
            if (disable) {
                op.disabled();
            }
            if (platform != null) {
                op.platform(platform);
            }
            if (!settings.isEmpty()) {
                op.setting(settings.toArray(String[]::new));
            }
            // the operation keeps the manifest and config it fetched here: run() installs what was granted
            List<PluginPrivilege> privileges = op.privileges();
            s.acceptPrivileges(r.typed(), privileges, grantAll, "Permission denied while installing plugin " + r.typed());
            op.grant(privileges).run();
            s.finishProgress();
            s.status("Installed plugin " + r.typed());
        }
        return 0;
    }
}
