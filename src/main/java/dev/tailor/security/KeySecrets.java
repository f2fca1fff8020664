package dev.tailor.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * API key secrets: {@code tlr_} and 256 random bits in URL-safe Base64. Only the SHA-256 is
 * stored; a slow password hash buys nothing for a secret nobody chose, and it would be paid on
 * every request. The first characters are kept apart so a list of keys can say which is which.
 */
final class KeySecrets {

    static final String PREFIX = "tlr_";
    /** how much of a key a listing shows: the marker and 8 characters of the secret */
    static final int SHOWN = PREFIX.length() + 8;

    private static final SecureRandom RANDOM = new SecureRandom();

    private KeySecrets() {}

    static String newKey() {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    static String sha256(String key) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    static String shown(String key) {
        return key.substring(0, Math.min(SHOWN, key.length()));
    }
}
