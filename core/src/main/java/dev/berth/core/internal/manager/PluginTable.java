package dev.berth.core.internal.manager;

import dev.berth.exception.ConflictException;
import dev.berth.exception.InvalidParameterException;
import dev.berth.exception.NotFoundException;
import dev.berth.oci.InvalidReferenceException;
import dev.berth.oci.Reference;
import dev.berth.plugin.Plugin;
import dev.berth.plugin.PluginRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The manager's in-memory view of the installed plugins: records by ID, reference counts, and names
 * reserved by operations still building a plugin. Thread-safe (one monitor).
 */
public final class PluginTable {
    private static final Logger LOG = LoggerFactory.getLogger(PluginTable.class);

    private final Map<String, PluginRecord> records = new LinkedHashMap<>();
    private final Map<String, Integer> refCounts = new LinkedHashMap<>();
    private final Set<String> reservedNames = new HashSet<>();

    /** Replaces everything (at load). */
    public synchronized void setAll(List<PluginRecord> all) {
        records.clear();
        refCounts.clear();
        for (PluginRecord r : all) {
            records.put(r.plugin().id(), r);
        }
    }

    /** Every record, sorted by name for a stable order. */
    public synchronized List<PluginRecord> all() {
        List<PluginRecord> out = new ArrayList<>(records.values());
        out.sort(Comparator.comparing(r -> r.plugin().name()));
        return out;
    }

    /** The record with this ID, if any. */
    public synchronized Optional<PluginRecord> byId(String id) {
        return Optional.ofNullable(records.get(id));
    }

    /** Adds or replaces a record. */
    public synchronized void put(PluginRecord record) {
        records.put(record.plugin().id(), record);
    }

    /** Removes a record and its count. */
    public synchronized void remove(String id) {
        records.remove(id);
        refCounts.remove(id);
    }

    /**
     * Resolves a name, ID or ID prefix exactly as Docker does (spec §2.2): a full ID; else a name
     * (normalized, {@code :latest} added); else a unique ID prefix of the original input.
     *
     * @throws NotFoundException         {@code plugin "<input>" not found}
     * @throws InvalidParameterException {@code multiple plugins found for "<input>"}
     */
    public synchronized PluginRecord resolve(String input) {
        if (Plugin.isId(input)) {
            PluginRecord r = records.get(input);
            if (r == null) {
                throw NotFoundException.plugin(input);
            }
            return r;
        }
        Reference ref;
        try {
            ref = Reference.parseNormalized(input);
        } catch (InvalidReferenceException e) {
            throw NotFoundException.plugin(input);
        }
        if (ref.digest().isPresent()) {
            LOG.warn("canonical references cannot be resolved: {}", ref.familiar());
            throw NotFoundException.plugin(input);
        }
        String name = ref.withDefaultTag().familiar();
        for (PluginRecord r : records.values()) {
            if (r.plugin().name().equals(name)) {
                return r;
            }
        }
        PluginRecord found = null;
        for (Map.Entry<String, PluginRecord> e : records.entrySet()) {
            if (e.getKey().startsWith(input)) {
                if (found != null) {
                    throw InvalidParameterException.ambiguousPrefix(input);
                }
                found = e.getValue();
            }
        }
        if (found == null) {
            throw NotFoundException.plugin(input);
        }
        return found;
    }

    /**
     * Reserves a local name for a plugin being built, so two concurrent installs of one name cannot
     * both succeed.
     *
     * @throws ConflictException {@code plugin <name> already exists}
     */
    public synchronized void reserve(String name) {
        boolean taken = reservedNames.contains(name)
                || records.values().stream().anyMatch(r -> r.plugin().name().equals(name));
        if (taken) {
            throw ConflictException.alreadyExists(name);
        }
        reservedNames.add(name);
    }

    /** Releases a reservation made by {@link #reserve}. */
    public synchronized void release(String name) {
        reservedNames.remove(name);
    }

    /** The reference count of a plugin (0 when never acquired). */
    public synchronized int refCount(String id) {
        return refCounts.getOrDefault(id, 0);
    }

    /** Adds {@code delta} to a plugin's count, never going below zero; returns the new count. */
    public synchronized int addRef(String id, int delta) {
        int n = Math.max(0, refCount(id) + delta);
        refCounts.put(id, n);
        return n;
    }
}
