package dev.berth.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.berth.PluginManager;
import dev.berth.PluginTask;
import dev.berth.event.EventMessage;
import dev.berth.exception.CancelledException;
import dev.berth.plugin.Plugin;
import dev.berth.testkit.content.InMemoryContentStore;
import dev.berth.testkit.registry.InMemoryRegistry;
import dev.berth.testkit.registry.TestPlugin;
import dev.berth.testkit.rootfs.SimpleRootfsApplier;
import dev.berth.testkit.runtime.FakeDriverPlugin;
import dev.berth.testkit.runtime.FakePluginRuntime;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Every {@code java} block of the README is compiled (it is in {@link ReadmeSnippets}) and, where it can, run. */
class ReadmeSnippetsTest {
    private static final Pattern BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void everyJavaBlockOfTheReadme_isInReadmeSnippetsOrIsTheTestingClass() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        String snippets = normalized(Files.readString(
                ROOT.resolve("examples/src/main/java/dev/berth/examples/ReadmeSnippets.java")));
        List<String> blocks = new ArrayList<>();
        Matcher m = BLOCK.matcher(readme);
        while (m.find()) {
            blocks.add(m.group(1));
        }
        assertThat(blocks).hasSizeGreaterThanOrEqualTo(3);
        for (String block : blocks) {
            if (block.startsWith("package ")) {
                continue; // the testing class: the build runs it as it is (see ReadmeExampleTest)
            }
            assertThat(snippets).as("README block not in ReadmeSnippets.java:%n%s", block).contains(normalized(block));
        }
    }

    @Test
    void backgroundAndEventsSnippets_runOnInMemoryParts() throws Exception {
        InMemoryRegistry registry = new InMemoryRegistry();
        TestPlugin.builder().publish(registry, "localhost:5000/acme/volume:1.0");
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix());
             PluginManager plugins = PluginManager.builder()
                     .root(fs.getPath("/plugins")).execRoot(fs.getPath("/run"))
                     .contentStore(InMemoryContentStore.create()).registryResolver(registry)
                     .rootfsApplier(new SimpleRootfsApplier())
                     .runtime(FakePluginRuntime.inProcess(new FakeDriverPlugin()))
                     .executor(executor).build()) {
            PluginTask<Plugin> task = ReadmeSnippets.background(plugins);
            try {
                task.result().join();
            } catch (CompletionException e) {
                assertThat(e.getCause()).isInstanceOf(CancelledException.class);
            }
            if (plugins.list().isEmpty()) {
                plugins.install("localhost:5000/acme/volume:1.0").grantAllPrivileges().disabled().run();
            }
            List<EventMessage> lastHour = ReadmeSnippets.events(plugins);
            assertThat(lastHour).extracting(EventMessage::action).contains("pull", "enable");
        } finally {
            executor.shutdownNow();
        }
    }

    /** The lines without their leading spaces, so that a block matches the same code indented in a method. */
    private static String normalized(String code) {
        return code.lines().map(String::strip).filter(l -> !l.isEmpty()).collect(Collectors.joining("\n"));
    }
}
