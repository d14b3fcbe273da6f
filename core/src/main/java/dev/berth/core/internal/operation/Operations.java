package dev.berth.core.internal.operation;

import dev.berth.core.internal.manager.Engine;
import dev.berth.rootfs.ContextSplitter;
import dev.berth.rootfs.RootfsApplier;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * One manager's operations, wired to each other and to its engine: install enables through the
 * lifecycle and removes through the remover, which collects garbage after a remove.
 *
 * @param lifecycle enable, disable, set, restore
 * @param gc        garbage collection
 * @param remover   remove
 * @param installer privileges, install, upgrade
 * @param creator   create
 * @param pusher    push
 * @param exporter  export (save)
 */
public record Operations(Lifecycle lifecycle, GarbageCollector gc, Remover remover, Installer installer,
                         Creator creator, PluginPusher pusher, Exporter exporter) {
    /**
     * Wires the operations of {@code engine}.
     *
     * @param executor      runs the GC that follows a remove
     * @param gcAfterRemove whether a remove is followed by a GC
     * @param enableTimeout the enable timeout of installs that enable
     * @param dockerVersion the {@code DockerVersion} written into created configs
     * @param maxConcurrentUploads how many blobs of one push upload at once
     */
    public static Operations wire(Engine engine, RootfsApplier applier, Optional<ContextSplitter> splitter,
                                  Executor executor, boolean gcAfterRemove, Duration enableTimeout,
                                  String dockerVersion, int maxConcurrentUploads) {
        Lifecycle lifecycle = new Lifecycle(engine);
        GarbageCollector gc = new GarbageCollector(engine);
        Remover remover = new Remover(engine, lifecycle, gc, executor, gcAfterRemove);
        PluginPusher pusher = new PluginPusher(engine, maxConcurrentUploads);
        return new Operations(lifecycle, gc, remover, new Installer(engine, applier, lifecycle, remover, enableTimeout),
                new Creator(engine, splitter, applier, dockerVersion), pusher, new Exporter(engine, pusher));
    }
}
