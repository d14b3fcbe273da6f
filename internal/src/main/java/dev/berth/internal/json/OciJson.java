package dev.berth.internal.json;

import dev.berth.api.internal.GoJsonWriter;
import dev.berth.exception.DigestMismatchException;
import dev.berth.oci.Descriptor;
import dev.berth.oci.Digest;
import dev.berth.oci.ImageIndex;
import dev.berth.oci.InvalidDigestException;
import dev.berth.oci.Manifest;
import dev.berth.oci.MediaTypes;
import dev.berth.oci.Platform;
import dev.berth.remote.RegistryException.Reason;
import dev.berth.remote.RegistryException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Decodes and encodes OCI and Docker manifests, indexes and descriptors. Decoding is strict where a
 * lenient parser would let two readers see different content (CVE-2021-41190, CVE-2014-8179):
 * duplicate keys in any case, a document that is both a manifest and an index, a body whose
 * {@code mediaType} contradicts the {@code Content-Type}, non-integer or negative sizes, unverifiable
 * digests. Encoding writes Go's bytes in the field order of the Go types, so a manifest Berth builds for a
 * plugin has the digest Docker's would have. Stateless and thread-safe.
 */
public final class OciJson {
    /** The largest manifest or index accepted: 4 MiB, as containerd. */
    public static final int MAX_MANIFEST_BYTES = 4 << 20;
    /** The largest plugin config accepted. */
    public static final int MAX_CONFIG_BYTES = 1 << 20;
    /** The most layers a manifest may list. */
    public static final int MAX_LAYERS = 128;
    /** The most entries an index may list. */
    public static final int MAX_INDEX_ENTRIES = 1024;

    private OciJson() {
    }

    /** What a document is, judged from its bytes. */
    public enum Kind {
        /** A single-platform manifest. */
        MANIFEST,
        /** An index or manifest list. */
        INDEX
    }

    /**
     * Tells a manifest from an index by the document itself, checking it against the declared
     * {@code Content-Type} (parameters ignored) when that names a manifest or index type.
     *
     * @param declared the {@code Content-Type} or descriptor media type; empty or another type when unknown
     * @throws RegistryException ({@link Reason#MANIFEST}) for an ambiguous, contradictory or
     *                           unsupported document
     */
    public static Kind kind(byte[] bytes, String declared) {
        JsonObject o = parse(bytes);
        return kind(o, bareType(declared));
    }

    /** Decodes a manifest (see {@link #kind} for the checks). */
    public static Manifest decodeManifest(byte[] bytes, String declared) {
        JsonObject o = parse(bytes);
        if (kind(o, bareType(declared)) != Kind.MANIFEST) {
            throw invalid("expected a manifest, got an index");
        }
        Optional<String> mediaType = optionalString(o, "mediaType");
        if (mediaType.isEmpty() && MediaTypes.DOCKER_MANIFEST_V2.equals(bareType(declared))) {
            // Docker schema 2 requires the field; accept its absence only as OCI.
            throw invalid("a Docker schema 2 manifest must carry its mediaType");
        }
        JsonObject config = o.object("config");
        if (config == null) {
            throw invalid("manifest has no config");
        }
        List<Object> rawLayers = o.array("layers");
        if (rawLayers == null) {
            rawLayers = List.of();
        }
        if (rawLayers.size() > MAX_LAYERS) {
            throw new RegistryException(Reason.LIMIT, "manifest lists " + rawLayers.size()
                    + " layers, more than the limit of " + MAX_LAYERS);
        }
        List<Descriptor> layers = new ArrayList<>(rawLayers.size());
        for (Object l : rawLayers) {
            layers.add(descriptor(asObject(l, "layers[]")));
        }
        try {
            return new Manifest(2, mediaType, descriptor(config), layers, annotations(o));
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
    }

    /** Decodes an index or manifest list (see {@link #kind} for the checks). */
    public static ImageIndex decodeIndex(byte[] bytes, String declared) {
        JsonObject o = parse(bytes);
        if (kind(o, bareType(declared)) != Kind.INDEX) {
            throw invalid("expected an index, got a manifest");
        }
        List<Object> raw = o.array("manifests");
        if (raw == null) {
            throw invalid("index has a null manifests list");
        }
        if (raw.size() > MAX_INDEX_ENTRIES) {
            throw new RegistryException(Reason.LIMIT, "index lists " + raw.size()
                    + " entries, more than the limit of " + MAX_INDEX_ENTRIES);
        }
        List<Descriptor> entries = new ArrayList<>(raw.size());
        for (Object e : raw) {
            entries.add(descriptor(asObject(e, "manifests[]")));
        }
        try {
            return new ImageIndex(2, optionalString(o, "mediaType"), entries, annotations(o));
        } catch (IllegalArgumentException e) {
            throw invalid(e.getMessage());
        }
    }

    /** Decodes one descriptor object. */
    public static Descriptor decodeDescriptor(byte[] bytes) {
        return descriptor(parse(bytes));
    }

    /** The media type without parameters ({@code ; charset=utf-8}), lower-cased; "" for null. */
    public static String bareType(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semi = contentType.indexOf(';');
        return (semi >= 0 ? contentType.substring(0, semi) : contentType).trim().toLowerCase(Locale.ROOT);
    }

    private static JsonObject parse(byte[] bytes) {
        if (bytes.length > MAX_MANIFEST_BYTES) {
            throw new RegistryException(Reason.LIMIT, "manifest of " + bytes.length
                    + " bytes exceeds the limit of " + MAX_MANIFEST_BYTES);
        }
        try {
            return Json.parseObject(bytes, MAX_MANIFEST_BYTES);
        } catch (JsonException e) {
            throw invalid(e.getMessage());
        }
    }

    private static Kind kind(JsonObject o, String declared) {
        long schemaVersion;
        try {
            if (!o.has("schemaVersion")) {
                throw invalid("manifest has no schemaVersion");
            }
            schemaVersion = o.integer("schemaVersion", Integer.MIN_VALUE, Integer.MAX_VALUE);
        } catch (JsonException e) {
            throw invalid(e.getMessage());
        }
        if (schemaVersion != 2) {
            throw invalid("unsupported manifest schemaVersion " + schemaVersion);
        }
        boolean hasManifests = o.has("manifests");
        boolean hasManifestFields = o.has("config") || o.has("layers");
        if (hasManifests && hasManifestFields) {
            throw invalid("ambiguous document: it has both manifests and config/layers");
        }
        if (!hasManifests && !hasManifestFields) {
            throw invalid("document is neither a manifest nor an index");
        }
        Kind byBody = hasManifests ? Kind.INDEX : Kind.MANIFEST;
        Optional<String> mediaType = optionalString(o, "mediaType");
        if (mediaType.isPresent()) {
            String t = mediaType.get();
            Kind byField = MediaTypes.isIndex(t) ? Kind.INDEX : MediaTypes.isManifest(t) ? Kind.MANIFEST : null;
            if (byField == null) {
                throw invalid(t.equals(MediaTypes.DOCKER_MANIFEST_V1_SIGNED) ? t + " not supported"
                        : "unsupported manifest media type " + t);
            }
            if (byField != byBody) {
                throw invalid("mediaType " + t + " contradicts the document's fields");
            }
            if ((MediaTypes.isManifest(declared) || MediaTypes.isIndex(declared)) && !declared.equals(t)) {
                throw invalid("Content-Type " + declared + " contradicts the document's mediaType " + t);
            }
        } else if (MediaTypes.isManifest(declared) || MediaTypes.isIndex(declared)) {
            Kind byHeader = MediaTypes.isIndex(declared) ? Kind.INDEX : Kind.MANIFEST;
            if (byHeader != byBody) {
                throw invalid("Content-Type " + declared + " contradicts the document's fields");
            }
        }
        return byBody;
    }

    static Descriptor descriptor(JsonObject o) {
        try {
            String mediaType = o.string("mediaType");
            if (mediaType.isEmpty()) {
                throw invalid("descriptor has no mediaType");
            }
            String digestText = o.string("digest");
            Digest digest;
            try {
                digest = Digest.parse(digestText);
            } catch (InvalidDigestException e) {
                throw invalid("descriptor digest: " + e.getMessage());
            }
            if (!o.has("size")) {
                throw invalid("descriptor " + digest + " has no size");
            }
            Object rawSize = o.get("size");
            if (!(rawSize instanceof BigDecimal n) || n.scale() != 0 || n.signum() < 0
                    || n.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
                throw invalid("descriptor " + digest + " size must be a non-negative integer, not " + rawSize);
            }
            long size = n.longValueExact();
            List<String> urls = o.stringArray("urls");
            Optional<Platform> platform = Optional.ofNullable(o.object("platform")).map(OciJson::platform);
            String data = o.nullableString("data");
            if (data != null) {
                verifyData(data, digest, size);
            }
            return new Descriptor(mediaType, digest, size, urls == null ? List.of() : urls, annotations(o), platform);
        } catch (JsonException e) {
            throw invalid(e.getMessage());
        }
    }

    private static void verifyData(String data, Digest digest, long size) {
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(data);
        } catch (IllegalArgumentException e) {
            throw invalid("descriptor " + digest + " has invalid base64 data");
        }
        if (bytes.length != size) {
            throw new RegistryException(Reason.SIZE, "descriptor " + digest + " embeds " + bytes.length
                    + " bytes but declares " + size);
        }
        Digest actual = Digest.of(digest.algorithm(), bytes);
        if (!actual.equals(digest)) {
            throw new DigestMismatchException("embedded data of " + digest, digest, actual);
        }
    }

    private static Platform platform(JsonObject o) {
        String os = o.string("os");
        String arch = o.string("architecture");
        List<String> features = o.stringArray("os.features");
        return new Platform(os, arch, nonEmpty(o.string("variant")), nonEmpty(o.string("os.version")),
                features == null ? List.of() : features);
    }

    private static Optional<String> nonEmpty(String s) {
        return s.isEmpty() ? Optional.empty() : Optional.of(s);
    }

    private static Optional<String> optionalString(JsonObject o, String key) {
        try {
            return nonEmpty(o.string(key));
        } catch (JsonException e) {
            throw invalid(e.getMessage());
        }
    }

    private static Map<String, String> annotations(JsonObject o) {
        JsonObject a = o.object("annotations");
        if (a == null) {
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        a.entries().forEach((k, v) -> {
            if (!(v instanceof String s)) {
                throw invalid("annotation " + k + " must be a string");
            }
            out.put(k, s);
        });
        return out;
    }

    private static JsonObject asObject(Object v, String field) {
        if (v instanceof JsonObject o) {
            return o;
        }
        throw invalid("field " + field + ": expected an object");
    }

    private static RegistryException invalid(String message) {
        return new RegistryException(Reason.MANIFEST, "invalid manifest: " + message);
    }

    // ---- encoding -------------------------------------------------------------------------

    /**
     * Encodes a manifest compactly. A Docker schema 2 manifest is written as moby writes a plugin's
     * ({@code schemaVersion, config, layers, mediaType}: moby wraps the OCI struct and appends the
     * media type), so building the same plugin gives the same digest as Docker; an OCI manifest in the
     * OCI struct's order ({@code schemaVersion, mediaType, config, layers, annotations}).
     */
    public static byte[] encodeManifest(Manifest m) {
        GoJsonWriter w = new GoJsonWriter().beginObject();
        w.name("schemaVersion").value(m.schemaVersion());
        boolean docker = m.mediaType().filter(MediaTypes.DOCKER_MANIFEST_V2::equals).isPresent();
        if (!docker && m.mediaType().isPresent()) {
            w.name("mediaType").value(m.mediaType().get());
        }
        w.name("config");
        writeDescriptor(w, m.config());
        w.name("layers");
        w.array(m.layers(), OciJson::writeDescriptor);
        if (!m.annotations().isEmpty()) {
            w.name("annotations");
            writeMap(w, m.annotations());
        }
        if (docker) {
            w.name("mediaType").value(MediaTypes.DOCKER_MANIFEST_V2);
        }
        return w.endObject().toBytes();
    }

    /** Encodes an index in the OCI struct's order ({@code schemaVersion, mediaType, manifests, annotations}). */
    public static byte[] encodeIndex(ImageIndex index) {
        GoJsonWriter w = new GoJsonWriter().beginObject();
        w.name("schemaVersion").value(index.schemaVersion());
        index.mediaType().ifPresent(t -> w.name("mediaType").value(t));
        w.name("manifests");
        w.array(index.manifests(), OciJson::writeDescriptor);
        if (!index.annotations().isEmpty()) {
            w.name("annotations");
            writeMap(w, index.annotations());
        }
        return w.endObject().toBytes();
    }

    /** Encodes one descriptor ({@code mediaType, digest, size, urls, annotations, platform}; empty ones omitted). */
    public static byte[] encodeDescriptor(Descriptor d) {
        GoJsonWriter w = new GoJsonWriter();
        writeDescriptor(w, d);
        return w.toBytes();
    }

    static void writeDescriptor(GoJsonWriter w, Descriptor d) {
        w.beginObject();
        w.name("mediaType").value(d.mediaType());
        w.name("digest").value(d.digest().toString());
        w.name("size").value(d.size());
        if (!d.urls().isEmpty()) {
            w.name("urls").stringArray(d.urls());
        }
        if (!d.annotations().isEmpty()) {
            w.name("annotations");
            writeMap(w, d.annotations());
        }
        d.platform().ifPresent(p -> {
            w.name("platform").beginObject();
            w.name("architecture").value(p.architecture());
            w.name("os").value(p.os());
            p.osVersion().ifPresent(v -> w.name("os.version").value(v));
            if (!p.osFeatures().isEmpty()) {
                w.name("os.features").stringArray(p.osFeatures());
            }
            p.variant().ifPresent(v -> w.name("variant").value(v));
            w.endObject();
        });
        w.endObject();
    }

    private static void writeMap(GoJsonWriter w, Map<String, String> map) {
        // Go writes map keys sorted; the records keep them in a TreeMap already.
        w.beginObject();
        map.forEach((k, v) -> w.name(k).value(v));
        w.endObject();
    }
}
