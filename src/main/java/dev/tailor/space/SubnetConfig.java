package dev.tailor.space;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One subnet: an input resolution, a depth per stage, and a kernel and expand ratio per active
 * block in network order (entries of blocks skipped by depth are not there at all). Its canonical
 * JSON, {@code {"resolution":R,"depths":[..],"kernels":[..],"expands":[..]}} with no spaces, is its
 * identity; the SHA-256 of those UTF-8 bytes names it everywhere.
 */
public record SubnetConfig(int resolution, List<Integer> depths, List<Integer> kernels, List<Integer> expands) {

    public SubnetConfig {
        depths = List.copyOf(depths);
        kernels = List.copyOf(kernels);
        expands = List.copyOf(expands);
    }

    public String canonicalJson() {
        return "{\"resolution\":" + resolution + ",\"depths\":" + list(depths) + ",\"kernels\":" + list(kernels)
                + ",\"expands\":" + list(expands) + "}";
    }

    private static String list(List<Integer> values) {
        return values.stream().map(String::valueOf).collect(Collectors.joining(",", "[", "]"));
    }

    public String sha256() {
        try {
            byte[] digest =
                    MessageDigest.getInstance("SHA-256").digest(canonicalJson().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** Reads a config written in any key order or spacing; the canonical form is what it hashes to. */
    public static SubnetConfig parse(String json) {
        JsonNode node;
        try {
            node = JsonMapper.builder().build().readTree(json);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("config is not JSON: " + e.getMessage());
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(
                    "config must be a JSON object with resolution, depths, kernels and expands");
        }
        for (String field : node.propertyNames()) {
            if (!List.of("resolution", "depths", "kernels", "expands").contains(field)) {
                throw new IllegalArgumentException(
                        "config field '" + field + "' is unknown; a config has resolution, depths, kernels, expands");
            }
        }
        return new SubnetConfig(
                integer(node, "resolution"),
                integers(node, "depths"),
                integers(node, "kernels"),
                integers(node, "expands"));
    }

    private static int integer(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isInt()) {
            throw new IllegalArgumentException("config." + field + " must be a whole number");
        }
        return value.asInt();
    }

    private static List<Integer> integers(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isArray()) {
            throw new IllegalArgumentException("config." + field + " must be an array of whole numbers");
        }
        return value.valueStream()
                .map(element -> {
                    if (!element.isInt()) {
                        throw new IllegalArgumentException("config." + field + " must hold whole numbers only");
                    }
                    return element.asInt();
                })
                .toList();
    }

    public int activeBlocks() {
        return kernels.size();
    }
}
