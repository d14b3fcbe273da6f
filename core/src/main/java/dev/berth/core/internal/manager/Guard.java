package dev.berth.core.internal.manager;

import dev.berth.event.EventPublisher;
import dev.berth.event.PluginEvent;
import dev.berth.progress.ProgressEvent;
import dev.berth.progress.ProgressListener;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Calls into user code so that a throwing listener is logged and never breaks an operation. */
public final class Guard {
    private static final Logger LOG = LoggerFactory.getLogger(Guard.class);

    private Guard() {
    }

    /** Publishes to every publisher, each guarded. */
    public static void publish(List<EventPublisher> publishers, PluginEvent event) {
        for (EventPublisher p : publishers) {
            try {
                p.publish(event);
            } catch (RuntimeException e) {
                LOG.warn("event publisher {} failed on {}: {}", p, event.action(), e.toString(), e);
            }
        }
    }

    /** Reports progress, guarded. */
    public static void progress(ProgressListener listener, ProgressEvent event) {
        try {
            listener.progress(event);
        } catch (RuntimeException e) {
            LOG.warn("progress listener failed on {}: {}", event, e.toString(), e);
        }
    }
}
