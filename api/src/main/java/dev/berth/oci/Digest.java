package dev.berth.oci;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A content digest, {@code <algorithm>:<hex>}, as OCI and Docker use it to address blobs.
 * Only {@code sha256} and {@code sha512} are accepted: they are the algorithms the OCI image spec
 * registers and every registry implements. The hex part is lower-case and exactly as long as the
 * algorithm's output; anything else is rejected when parsing so that two spellings can never name
 * the same content.
 *
 * @param algorithm {@code sha256} or {@code sha512}
 * @param hex       the lower-case hex encoding of the hash
 */
public record Digest(String algorithm, String hex) implements Comparable<Digest> {
    /** The SHA-256 algorithm name, the default everywhere. */
    public static final String SHA256 = "sha256";
    /** The SHA-512 algorithm name. */
    public static final String SHA512 = "sha512";

    /** Validates the algorithm and the hex part. */
    public Digest {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(hex, "hex");
        String input = algorithm + ":" + hex;
        int length = hexLength(algorithm, input);
        if (hex.length() != length) {
            throw new InvalidDigestException(input,
                    "a " + algorithm + " digest has " + length + " hex characters, not " + hex.length());
        }
        for (int i = 0; i < hex.length(); i++) {
            char c = hex.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                throw new InvalidDigestException(input, "the hex part must be lower-case hexadecimal");
            }
        }
    }

    /**
     * Parses {@code <algorithm>:<hex>} strictly.
     *
     * @throws InvalidDigestException if the string is not a well-formed sha256 or sha512 digest
     */
    public static Digest parse(String text) {
        Objects.requireNonNull(text, "text");
        int colon = text.indexOf(':');
        if (colon <= 0) {
            throw new InvalidDigestException(text, "expected <algorithm>:<hex>");
        }
        return new Digest(text.substring(0, colon), text.substring(colon + 1));
    }

    /** Tells whether {@link #parse} would accept the string. */
    public static boolean isValid(String text) {
        try {
            parse(text);
            return true;
        } catch (InvalidDigestException e) {
            return false;
        }
    }

    /** The SHA-256 digest of the bytes. */
    public static Digest sha256(byte[] bytes) {
        return of(SHA256, bytes);
    }

    /** The SHA-256 digest of the string's UTF-8 bytes. */
    public static Digest sha256(String text) {
        return sha256(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The digest of the bytes with the given algorithm. */
    public static Digest of(String algorithm, byte[] bytes) {
        Digester digester = Digester.of(algorithm);
        digester.update(bytes, 0, bytes.length);
        return digester.digest();
    }

    /** A new JDK {@link MessageDigest} for this digest's algorithm. */
    public MessageDigest newMessageDigest() {
        return newMessageDigest(algorithm);
    }

    /** The raw hash bytes. */
    public byte[] bytes() {
        return HexFormat.of().parseHex(hex);
    }

    /** {@code <algorithm>:<hex>}, the form used on the wire and on disk. */
    @Override
    public String toString() {
        return algorithm + ":" + hex;
    }

    /** Orders by algorithm, then hex, so sorted lists are stable across runs. */
    @Override
    public int compareTo(Digest other) {
        int c = algorithm.compareTo(other.algorithm);
        return c != 0 ? c : hex.compareTo(other.hex);
    }

    static MessageDigest newMessageDigest(String algorithm) {
        String jdkName = switch (algorithm) {
            case SHA256 -> "SHA-256";
            case SHA512 -> "SHA-512";
            default -> throw new InvalidDigestException(algorithm, "unsupported digest algorithm");
        };
        try {
            return MessageDigest.getInstance(jdkName);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks " + jdkName, e);
        }
    }

    private static int hexLength(String algorithm, String input) {
        return switch (algorithm) {
            case SHA256 -> 64;
            case SHA512 -> 128;
            default -> throw new InvalidDigestException(input, "unsupported digest algorithm \"" + algorithm + "\"");
        };
    }
}
