package dev.berth.cli;

import dev.berth.PushedPlugin;
import dev.berth.exception.NotFoundException;
import dev.berth.oci.InvalidReferenceException;
import dev.berth.oci.Reference;
import dev.berth.registry.layout.OciLayoutResolver;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code berth push}: a plugin to the registry its name names, or into an OCI layout. */
@Command(name = "push", mixinStandardHelpOptions = true,
        description = {"Push a plugin to the registry its name names.",
                "With oci:DIR, write it into that OCI image layout instead, under the tag of its name."})
final class PushCommand implements Callable<Integer> {
    @ParentCommand
    Berth berth;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "Plugin name or ID.")
    String name;

    @Parameters(index = "1", arity = "0..1", paramLabel = "oci:DIR", description = "An OCI layout to push into.")
    String target;

    @Override
    public Integer call() {
        if (name.contains("@")) {
            throw new Berth.OperationFailed("invalid name: " + name);
        }
        Remote layout = null;
        if (target != null) {
            try {
                layout = Remote.parse(target);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            if (layout.layout().isEmpty()) {
                throw new ParameterException(spec.commandLine(), "push goes to the registry the plugin's name names; "
                        + "a second argument must be oci:DIR, not " + target);
            }
        }
        try (Session s = new Session(berth)) {
            var manager = layout == null ? s.manager()
                    : s.manager(OciLayoutResolver.open(layout.layout().get()));
            PushedPlugin pushed;
            try {
                pushed = manager.push(name);
            } catch (NotFoundException e) {
                // dockerd looks the plugin up by the tagged name and says so
                throw new Messages.Verbatim("Error response from daemon: plugin \"" + taggedName(name) + "\" not found");
            }
            s.finishProgress();
            s.status(pushed.tag() + ": digest: " + pushed.digest() + " size: " + pushed.size());
        }
        return 0;
    }

    /** The name as the daemon's push resolves it: normalized, {@code :latest} when untagged, shown familiar. */
    private static String taggedName(String name) {
        try {
            return Reference.parse(name).withDefaultTag().familiar();
        } catch (InvalidReferenceException e) {
            return name;
        }
    }
}
