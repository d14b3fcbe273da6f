package dev.berth.oci;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A normalized reference to a repository in a registry, with an optional tag and digest: the
 * docker/distribution grammar and normalization that {@code docker plugin} uses.
 *
 * <p>{@link #parse(String)} accepts what Docker accepts and normalizes it the same way:
 * {@code sshfs} becomes {@code docker.io/library/sshfs:latest}, {@code index.docker.io/x/y} becomes
 * {@code docker.io/x/y:latest}, {@code localhost:5000/p:1.0} keeps its registry. {@link #familiar()}
 * gives the short form Docker shows to people and stores as a plugin's local name.
 *
 * @param domain the registry host, with port when given ({@code docker.io} for Docker Hub)
 * @param path   the repository path inside the registry ({@code library/busybox}, {@code vieux/sshfs})
 * @param tag    the tag, if any
 * @param digest the digest, if any (a reference may carry both a tag and a digest)
 */
public record Reference(String domain, String path, Optional<String> tag, Optional<Digest> digest) {
    /** Docker Hub's canonical domain. */
    public static final String DOCKER_HUB = "docker.io";
    /** The legacy name of Docker Hub, rewritten to {@link #DOCKER_HUB}. */
    public static final String LEGACY_DOCKER_HUB = "index.docker.io";
    /** The tag added when a reference names neither a tag nor a digest. */
    public static final String DEFAULT_TAG = "latest";
    /** The longest repository path the grammar allows. */
    public static final int MAX_PATH_LENGTH = 255;

    private static final String OFFICIAL_PREFIX = "library/";
    /** Longer input is rejected before any regular expression runs, bounding the work for hostile input. */
    private static final int MAX_INPUT_LENGTH = 1024;

    private static final String ALNUM = "[a-z0-9]+";
    private static final String SEPARATOR = "(?:[._]|__|[-]+)";
    private static final String PATH_COMPONENT = ALNUM + "(?:" + SEPARATOR + ALNUM + ")*";
    private static final String REMOTE_NAME = PATH_COMPONENT + "(?:/" + PATH_COMPONENT + ")*";
    private static final String DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    private static final String DOMAIN_NAME = DOMAIN_COMPONENT + "(?:\\." + DOMAIN_COMPONENT + ")*";
    private static final String IPV6 = "\\[(?:[a-fA-F0-9:]+)\\]";
    private static final String DOMAIN_AND_PORT = "(?:" + DOMAIN_NAME + "|" + IPV6 + ")(?::[0-9]+)?";
    private static final String TAG = "[\\w][\\w.-]{0,127}";
    private static final String DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";

    private static final Pattern REFERENCE = Pattern.compile(
            "((?:" + DOMAIN_AND_PORT + "/)?" + REMOTE_NAME + ")(?::(" + TAG + "))?(?:@(" + DIGEST + "))?");
    private static final Pattern NAME = Pattern.compile("(?:(" + DOMAIN_AND_PORT + ")/)?(" + REMOTE_NAME + ")");
    private static final Pattern TAG_PATTERN = Pattern.compile(TAG);
    private static final Pattern ID = Pattern.compile("[a-f0-9]{64}");

    /** Validates the parts; use {@link #parse(String)} for strings. */
    public Reference {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(digest, "digest");
        String whole = domain + "/" + path;
        if (!NAME.matcher(whole).matches()) {
            throw new InvalidReferenceException(whole, "invalid reference format");
        }
        if (path.length() > MAX_PATH_LENGTH) {
            throw new InvalidReferenceException(whole, "repository name must not be more than 255 characters");
        }
        tag.ifPresent(t -> {
            if (!TAG_PATTERN.matcher(t).matches()) {
                throw new InvalidReferenceException(t, "invalid tag format");
            }
        });
    }

    /**
     * Parses and normalizes a reference as Docker does for {@code docker plugin install}, adding the
     * tag {@code latest} when the input names neither a tag nor a digest.
     *
     * @throws InvalidReferenceException with docker/distribution's reason when the input is not a
     *                                   valid reference
     */
    public static Reference parse(String input) {
        return parseNormalized(input).withDefaultTag();
    }

    /**
     * Parses and normalizes a reference without adding a default tag (docker/distribution's
     * {@code ParseNormalizedNamed}).
     *
     * @throws InvalidReferenceException when the input is not a valid reference
     */
    public static Reference parseNormalized(String input) {
        Objects.requireNonNull(input, "input");
        if (input.length() > MAX_INPUT_LENGTH) {
            throw new InvalidReferenceException(input.substring(0, 64) + "...", "invalid reference format: input too long");
        }
        if (ID.matcher(input).matches()) {
            throw new InvalidReferenceException(input,
                    "invalid repository name (" + input + "), cannot specify 64-byte hexadecimal strings");
        }
        String[] split = splitDockerDomain(input);
        String domain = split[0];
        String remainder = split[1];
        int colon = remainder.indexOf(':');
        String remote = colon >= 0 ? remainder.substring(0, colon) : remainder;
        if (!remote.toLowerCase(Locale.ROOT).equals(remote)) {
            throw new InvalidReferenceException(input,
                    "invalid reference format: repository name (" + remote + ") must be lowercase");
        }
        return parseCanonical(domain + "/" + remainder, input);
    }

    /** Whether {@link #parse(String)} accepts the input. */
    public static boolean isValid(String input) {
        try {
            parseNormalized(input);
            return true;
        } catch (InvalidReferenceException e) {
            return false;
        }
    }

    private static Reference parseCanonical(String s, String input) {
        if (s.isEmpty()) {
            throw new InvalidReferenceException(input, "repository name must have at least one component");
        }
        Matcher m = REFERENCE.matcher(s);
        if (!m.matches()) {
            String lower = s.toLowerCase(Locale.ROOT);
            if (!lower.equals(s) && REFERENCE.matcher(lower).matches()) {
                throw new InvalidReferenceException(input, "invalid reference format: repository name must be lowercase");
            }
            throw new InvalidReferenceException(input, "invalid reference format");
        }
        Matcher name = NAME.matcher(m.group(1));
        if (!name.matches() || name.group(1) == null) {
            throw new InvalidReferenceException(input, "invalid reference format");
        }
        String path = name.group(2);
        if (path.length() > MAX_PATH_LENGTH) {
            throw new InvalidReferenceException(input, "repository name must not be more than 255 characters");
        }
        Optional<Digest> digest = Optional.empty();
        if (m.group(3) != null) {
            try {
                digest = Optional.of(Digest.parse(m.group(3)));
            } catch (InvalidDigestException e) {
                throw new InvalidReferenceException(input, "invalid reference format: " + e.getMessage());
            }
        }
        return new Reference(name.group(1), path, Optional.ofNullable(m.group(2)), digest);
    }

    /** Splits off the registry the way docker/distribution does: {@code [domain, remainder]}. */
    private static String[] splitDockerDomain(String name) {
        int slash = name.indexOf('/');
        if (slash < 0) {
            return new String[] {DOCKER_HUB, OFFICIAL_PREFIX + name};
        }
        String maybeDomain = name.substring(0, slash);
        String rest = name.substring(slash + 1);
        String domain;
        String remainder;
        if (maybeDomain.equals("localhost")
                || maybeDomain.contains(".") || maybeDomain.contains(":")
                || !maybeDomain.toLowerCase(Locale.ROOT).equals(maybeDomain)) {
            domain = maybeDomain.equals(LEGACY_DOCKER_HUB) ? DOCKER_HUB : maybeDomain;
            remainder = rest;
        } else {
            domain = DOCKER_HUB;
            remainder = name;
        }
        if (domain.equals(DOCKER_HUB) && remainder.indexOf('/') < 0) {
            remainder = OFFICIAL_PREFIX + remainder;
        }
        return new String[] {domain, remainder};
    }

    /** {@code domain/path}: the repository without tag or digest. */
    public String name() {
        return domain + "/" + path;
    }

    /** The familiar repository name: {@code busybox}, {@code vieux/sshfs}, {@code localhost:5000/x}. */
    public String familiarName() {
        if (!domain.equals(DOCKER_HUB)) {
            return name();
        }
        if (path.startsWith(OFFICIAL_PREFIX) && path.indexOf('/', OFFICIAL_PREFIX.length()) < 0) {
            return path.substring(OFFICIAL_PREFIX.length());
        }
        return path;
    }

    /** The familiar form with tag and digest: what Docker shows and stores as a plugin's name. */
    public String familiar() {
        return familiarName() + suffix();
    }

    /** This reference with tag {@code latest} when it has neither tag nor digest. */
    public Reference withDefaultTag() {
        return tag.isEmpty() && digest.isEmpty() ? withTag(DEFAULT_TAG) : this;
    }

    /** A copy with the given tag. */
    public Reference withTag(String value) {
        return new Reference(domain, path, Optional.of(value), digest);
    }

    /** A copy without tag. */
    public Reference withoutTag() {
        return new Reference(domain, path, Optional.empty(), digest);
    }

    /** A copy with the given digest. */
    public Reference withDigest(Digest value) {
        return new Reference(domain, path, tag, Optional.of(value));
    }

    /** A copy without tag or digest. */
    public Reference repository() {
        return new Reference(domain, path, Optional.empty(), Optional.empty());
    }

    /**
     * Docker's pull form: by digest when there is one (the tag dropped), else by tag ({@code latest}
     * when none).
     */
    public Reference dockerRef() {
        return digest.isPresent() ? withoutTag() : withDefaultTag();
    }

    /** Whether this reference points at Docker Hub. */
    public boolean isDockerHub() {
        return domain.equals(DOCKER_HUB);
    }

    /** The fully qualified form, e.g. {@code docker.io/vieux/sshfs:latest}. */
    @Override
    public String toString() {
        return name() + suffix();
    }

    private String suffix() {
        return tag.map(t -> ":" + t).orElse("") + digest.map(d -> "@" + d).orElse("");
    }
}
