package dev.tailor.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * libtorch's profiler output (a Chrome trace) reduced to self time per operator: an operator's
 * time less that of the operators it called, so nothing is counted twice. An operator is in the
 * backward pass when autograd's engine called it.
 */
final class TorchTrace {

    /** One operator name in one pass, summed over the traced steps. */
    record Operator(String name, String pass, String kind, long calls, double selfMillis) {}

    private final List<Operator> operators;
    private final long topLevelCalls;
    private final long allocations;
    private final long allocatedBytes;

    private TorchTrace(List<Operator> operators, long topLevelCalls, long allocations, long allocatedBytes) {
        this.operators = operators;
        this.topLevelCalls = topLevelCalls;
        this.allocations = allocations;
        this.allocatedBytes = allocatedBytes;
    }

    List<Operator> operators() {
        return operators;
    }

    /** Operators called from outside libtorch (each one a crossing from Java). */
    long topLevelCalls() {
        return topLevelCalls;
    }

    long allocations() {
        return allocations;
    }

    long allocatedBytes() {
        return allocatedBytes;
    }

    double totalSelfMillis() {
        return operators.stream().mapToDouble(Operator::selfMillis).sum();
    }

    static TorchTrace read(Path file) {
        try {
            return parse(new ObjectMapper().readTree(file.toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the profiler trace " + file, e);
        }
    }

    /** An open operator: its children's time and memory are subtracted to leave its own. */
    private record Span(String name, double start, double end, boolean backward, double bytes, double[] children) {}

    static TorchTrace parse(JsonNode root) {
        JsonNode events = root.isArray() ? root : root.path("traceEvents");
        Map<String, List<JsonNode>> byThread = new HashMap<>();
        long allocations = 0;
        long allocatedBytes = 0;
        for (JsonNode event : events) {
            String phase = event.path("ph").asText();
            if (phase.equals("X") && event.has("dur")) {
                byThread.computeIfAbsent(event.path("tid").asText(), t -> new ArrayList<>())
                        .add(event);
            }
        }
        Map<String, long[]> calls = new LinkedHashMap<>();
        Map<String, double[]> self = new LinkedHashMap<>();
        long topLevel = 0;
        for (List<JsonNode> thread : byThread.values()) {
            thread.sort(Comparator.comparingDouble((JsonNode e) -> e.path("ts").asDouble())
                    .thenComparing(e -> -e.path("dur").asDouble()));
            Deque<Span> open = new ArrayDeque<>();
            for (JsonNode event : thread) {
                double start = event.path("ts").asDouble();
                double end = start + event.path("dur").asDouble();
                while (!open.isEmpty() && open.peek().end() <= start) {
                    allocatedBytes += close(open.pop(), calls, self);
                }
                String name = event.path("name").asText() + convolutionShape(event);
                boolean backward = name.startsWith("autograd::engine::evaluate_function")
                        || (!open.isEmpty() && open.peek().backward());
                double bytes = bytes(event.path("cpu mem").asText(""));
                if (open.isEmpty()) {
                    topLevel++;
                } else {
                    open.peek().children()[0] += end - start;
                    open.peek().children()[1] += bytes;
                }
                if (name.startsWith("aten::empty")) {
                    allocations++;
                }
                open.push(new Span(name, start, end, backward, bytes, new double[2]));
            }
            while (!open.isEmpty()) {
                allocatedBytes += close(open.pop(), calls, self);
            }
        }
        List<Operator> operators = new ArrayList<>();
        for (Map.Entry<String, double[]> entry : self.entrySet()) {
            String[] key = entry.getKey().split("\t", 2);
            operators.add(new Operator(
                    key[1], key[0], kind(key[1]), calls.get(entry.getKey())[0], entry.getValue()[0] / 1000.0));
        }
        operators.sort(Comparator.comparingDouble(Operator::selfMillis).reversed());
        return new TorchTrace(operators, topLevel, allocations, allocatedBytes);
    }

    /** Books a finished operator's self time; returns the bytes it allocated itself (not its children). */
    private static long close(Span span, Map<String, long[]> calls, Map<String, double[]> self) {
        String key = (span.backward() ? "backward" : "forward/other") + "\t" + span.name();
        calls.computeIfAbsent(key, k -> new long[1])[0]++;
        self.computeIfAbsent(key, k -> new double[1])[0] += Math.max(0, span.end() - span.start() - span.children()[0]);
        return (long) Math.max(0, span.bytes() - Math.max(0, span.children()[1]));
    }

    /** The profiler's memory column, such as {@code "98.00 Kb"} or {@code "-3.06 Mb"}, in bytes. */
    static double bytes(String text) {
        String[] parts = text.trim().split("\\s+");
        if (parts.length != 2) {
            return 0;
        }
        double value;
        try {
            value = Double.parseDouble(parts[0]);
        } catch (NumberFormatException e) {
            return 0;
        }
        return switch (parts[1]) {
            case "b" -> value;
            case "Kb" -> value * 1024;
            case "Mb" -> value * 1024 * 1024;
            case "Gb" -> value * 1024 * 1024 * 1024;
            default -> 0;
        };
    }

    /**
     * Which convolution a convolution operator ran, from its weight's recorded shape (the second
     * input forward, the third backward): depthwise, 1x1 or dense.
     */
    private static String convolutionShape(JsonNode event) {
        String name = event.path("name").asText();
        JsonNode dims = event.path("shape");
        if (!name.startsWith("aten::") || !name.contains("conv") || !dims.isArray()) {
            return "";
        }
        JsonNode weight = dims.path(name.contains("backward") ? 2 : 1);
        if (weight.size() != 4) {
            return "";
        }
        if (weight.path(1).asInt() == 1 && weight.path(2).asInt() > 1) {
            return " [depthwise " + weight.path(2).asInt() + "x"
                    + weight.path(3).asInt() + "]";
        }
        if (weight.path(2).asInt() == 1 && weight.path(3).asInt() == 1) {
            return " [1x1]";
        }
        return " [dense " + weight.path(2).asInt() + "x" + weight.path(3).asInt() + "]";
    }

    /** The kind of work an operator name stands for, to sum a profile by. */
    static String kind(String name) {
        String n = name.toLowerCase(java.util.Locale.ROOT);
        if (n.startsWith("autograd::engine::evaluate_function")) {
            return "autograd engine";
        }
        if (n.contains("conv")) {
            return n.contains("[depthwise")
                    ? "convolution, depthwise"
                    : n.contains("[1x1]") ? "convolution, 1x1" : "convolution";
        }
        if (n.contains("batch_norm") || n.contains("batchnorm")) {
            return "batch norm";
        }
        if (n.contains("relu")
                || n.contains("hardswish")
                || n.contains("hardsigmoid")
                || n.contains("hardtanh")
                || n.contains("sigmoid")
                || n.contains("threshold")) {
            return "activation";
        }
        if (n.contains("softmax") || n.contains("nll") || n.contains("cross_entropy")) {
            return "loss";
        }
        if (n.contains("mm") || n.contains("matmul") || n.contains("linear")) {
            return "matrix multiply (1x1 convolutions of a step, classifier, kernel transforms)";
        }
        if (n.contains("mean") || n.contains("pool")) {
            return "pooling and means (SE, head)";
        }
        if (n.contains("slice")
                || n.contains("select")
                || n.contains("narrow")
                || n.contains("copy")
                || n.contains("contiguous")
                || n.contains("clone")
                || n.contains("as_strided")
                || n.contains("view")
                || n.contains("reshape")
                || n.contains("index")
                || n.contains("cat")
                || n.contains("::to")
                || n.contains("transpose")
                || n.contains("permute")
                || n.contains("expand")
                || n.contains("detach")
                || n.contains("alias")) {
            return "slicing, views and copies";
        }
        if (n.contains("empty")
                || n.contains("zero")
                || n.contains("fill")
                || n.contains("full")
                || n.contains("ones")
                || n.contains("resize")) {
            return "allocation and filling";
        }
        return "elementwise and other";
    }
}
