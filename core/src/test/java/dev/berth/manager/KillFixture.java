package dev.berth.manager;

import dev.berth.PluginManager;
import dev.berth.archive.TarContextSplitter;
import dev.berth.archive.TarRootfsApplier;
import dev.berth.registry.HttpRegistryResolver;
import dev.berth.store.FileContentStore;
import dev.berth.testkit.runtime.FakePluginRuntime;
import dev.berth.testkit.runtime.FakePluginServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * What {@link KillChild} and {@link KillAtEveryOperationTest} share: the plugin's two versions in the
 * real registry, its local name, and how a manager on a kill test's root is built (the real store,
 * registry client and archive code; the in-process fake runtime, since the invariants are the root's).
 */
final class KillFixture {
    static final List<String> OPERATIONS = List.of("install", "create", "upgrade", "remove", "set", "enable",
            "disable", "push", "gc", "open");
    /**
     * Characters of random text in each version's rootfs: about 1.2 MiB once gzipped, so that a download
     * reports progress (every MiB) before its end and can be killed halfway.
     */
    static final int DATA_CHARS = 3 << 19;

    final String host;
    final String v1;
    final String v2;
    final String name;

    KillFixture(String host) {
        this.host = host;
        this.v1 = host + "/kill/p:1";
        this.v2 = host + "/kill/p:2";
        this.name = host + "/kill/local:latest";
    }

    /** {@code kill v<version>}: the description of that version and the content of its {@code version} file. */
    static String label(int version) {
        return "kill v" + version;
    }

    /** The create context of a version: its description, its {@code version} file and a file only it has. */
    static byte[] context(int version) {
        String config = Contexts.config("p.sock", "\"env\":[{\"name\":\"DEBUG\",\"settable\":[\"value\"],\"value\":\"0\"}]")
                .replace("\"test plugin\"", "\"" + label(version) + "\"");
        SplittableRandom random = new SplittableRandom(version);
        StringBuilder data = new StringBuilder(DATA_CHARS);
        for (int i = 0; i < DATA_CHARS; i++) {
            data.append((char) ('!' + random.nextInt(94)));
        }
        return Contexts.tar(config, Map.of("bin/plugin", "#!/bin/sh\n", "version", label(version),
                "v" + version + "/only-in-this-version", label(version), "data", data.toString()));
    }

    /** A builder of a manager on {@code root} as the kill tests use it. */
    PluginManager.Builder builder(Path root) {
        try {
            return PluginManager.builder()
                    .root(root)
                    .contentStore(FileContentStore.open(root.resolve("storage")))
                    .registryResolver(HttpRegistryResolver.builder().build())
                    .rootfsApplier(TarRootfsApplier.create())
                    .contextSplitter(TarContextSplitter.create())
                    .runtime(FakePluginRuntime.inProcess(FakePluginServer.activating("VolumeDriver")))
                    .execRoot(root.resolveSibling(root.getFileName() + "-exec"))
                    .enableTimeout(Duration.ofSeconds(10));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
