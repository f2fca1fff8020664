package dev.tailor.security;

/**
 * Who sent a request, as its API key says: the key's id and name (never its secret), its role,
 * and for an agent key the device it is bound to.
 */
public record Caller(long keyId, String keyName, Role role, String device) {

    String describe() {
        return "key '" + keyName + "' (role " + role.wireName() + (device == null ? "" : ", device " + device) + ")";
    }
}
