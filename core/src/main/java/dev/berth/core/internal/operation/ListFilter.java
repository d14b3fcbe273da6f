package dev.berth.core.internal.operation;

import dev.berth.exception.InvalidParameterException;
import dev.berth.plugin.Plugin;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The filters of {@code docker plugin ls}: {@code enabled} ({@code true} or {@code false}) and
 * {@code capability} (a plugin passes when every one of its capabilities equals a value or matches it
 * as an unanchored regular expression, as in Docker). Immutable.
 */
public final class ListFilter implements Predicate<Plugin> {
    private static final Set<String> KEYS = Set.of("enabled", "capability");

    private final Optional<Boolean> enabled;
    private final Optional<List<String>> capabilityValues;
    private final List<Pattern> capabilities;

    private ListFilter(Optional<Boolean> enabled, Optional<List<String>> capabilityValues, List<Pattern> capabilities) {
        this.enabled = enabled;
        this.capabilityValues = capabilityValues;
        this.capabilities = List.copyOf(capabilities);
    }

    /**
     * Parses filters as Docker's API receives them.
     *
     * @throws InvalidParameterException for another key or an invalid value
     */
    public static ListFilter parse(Map<String, List<String>> filters) {
        Optional<Boolean> enabled = Optional.empty();
        Optional<List<String>> values = Optional.empty();
        List<Pattern> patterns = new ArrayList<>();
        for (Map.Entry<String, List<String>> f : filters.entrySet()) {
            if (!KEYS.contains(f.getKey())) {
                throw new InvalidParameterException("invalid filter '" + f.getKey() + "'");
            }
            if (f.getKey().equals("enabled")) {
                if (f.getValue().contains("true")) {
                    enabled = Optional.of(true);
                } else if (f.getValue().contains("false")) {
                    enabled = Optional.of(false);
                } else {
                    throw new InvalidParameterException("invalid filter 'enabled=" + f.getValue() + "'");
                }
            } else {
                values = Optional.of(List.copyOf(f.getValue()));
                for (String v : f.getValue()) {
                    try {
                        patterns.add(Pattern.compile(v));
                    } catch (PatternSyntaxException e) {
                        throw new InvalidParameterException("invalid filter 'capability=" + v + "': " + e.getDescription());
                    }
                }
            }
        }
        return new ListFilter(enabled, values, patterns);
    }

    @Override
    public boolean test(Plugin p) {
        if (enabled.isPresent() && p.enabled() != enabled.get()) {
            return false;
        }
        return capabilityValues.isEmpty() || p.config().pluginInterface().typesOrEmpty().stream().allMatch(t ->
                capabilityValues.get().contains(t.capability())
                        || capabilities.stream().anyMatch(x -> x.matcher(t.capability()).find()));
    }
}
