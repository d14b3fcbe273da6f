package dev.berth.cli;

import dev.berth.json.DockerJson;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code berth privileges}: what a plugin asks for, as the Engine API's {@code /plugins/privileges}. */
@Command(name = "privileges", mixinStandardHelpOptions = true,
        description = "Print the privileges a plugin requires, as JSON (the Engine API's /plugins/privileges answer).")
final class PrivilegesCommand implements Callable<Integer> {
    @ParentCommand
    Berth berth;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "REMOTE", description = "A reference or oci:DIR[:TAG].")
    String remote;

    @Override
    public Integer call() {
        Remote r;
        try {
            r = Remote.parse(remote);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        try (Session s = new Session(berth)) {
            s.out().println(DockerJson.privileges(s.manager(s.resolverFor(r)).privileges(r.reference())));
        }
        return 0;
    }
}
