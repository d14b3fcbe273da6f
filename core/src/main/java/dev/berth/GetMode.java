package dev.berth;

/** What {@link PluginManager#get} does to a plugin's reference count (Docker's plugingetter modes). */
public enum GetMode {
    /** Leave the count alone. */
    LOOKUP(0),
    /** Add one reference: the host starts using the plugin. */
    ACQUIRE(1),
    /** Drop one reference: the host stops using the plugin. */
    RELEASE(-1);

    private final int delta;

    GetMode(int delta) {
        this.delta = delta;
    }

    /** The change to the reference count. */
    public int delta() {
        return delta;
    }
}
