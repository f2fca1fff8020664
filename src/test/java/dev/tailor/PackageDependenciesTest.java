package dev.tailor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Feature packages depend on each other one way: a cycle (export needing jobs needing export) means
 * two features that cannot be understood, tested or moved apart. Read from the sources: every
 * {@code dev.tailor.<feature>.<Type>} a file of another feature names.
 */
class PackageDependenciesTest {

    private static final Path ROOT = Path.of("src/main/java/dev/tailor");
    private static final Pattern REFERENCE = Pattern.compile("\\bdev\\.tailor\\.([a-z]+)\\.[A-Z]");

    @Test
    void featurePackagesFormNoCycle() throws IOException {
        Map<String, Set<String>> uses = new TreeMap<>();
        try (Stream<Path> files = Files.walk(ROOT)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                Path relative = ROOT.relativize(file);
                if (relative.getNameCount() < 2) {
                    continue;
                }
                String feature = relative.getName(0).toString();
                Matcher matcher = REFERENCE.matcher(Files.readString(file));
                Set<String> used = uses.computeIfAbsent(feature, f -> new TreeSet<>());
                while (matcher.find()) {
                    if (!matcher.group(1).equals(feature)) {
                        used.add(matcher.group(1));
                    }
                }
            }
        }
        assertThat(uses).containsKeys("api", "onnx", "export", "latency", "jobs", "devices", "security");
        List<List<String>> cycles = new Tarjan(uses).cycles();
        assertThat(cycles).as("package dependencies " + uses).isEmpty();
    }

    /** Strongly connected components with more than one package. */
    private static final class Tarjan {
        private final Map<String, Set<String>> graph;
        private final Map<String, Integer> index = new HashMap<>();
        private final Map<String, Integer> low = new HashMap<>();
        private final Deque<String> stack = new ArrayDeque<>();
        private final Set<String> onStack = new TreeSet<>();
        private final List<List<String>> cycles = new ArrayList<>();

        Tarjan(Map<String, Set<String>> graph) {
            this.graph = graph;
        }

        List<List<String>> cycles() {
            for (String node : graph.keySet()) {
                if (!index.containsKey(node)) {
                    visit(node);
                }
            }
            return cycles;
        }

        private void visit(String node) {
            index.put(node, index.size());
            low.put(node, index.get(node));
            stack.push(node);
            onStack.add(node);
            for (String next : graph.getOrDefault(node, Set.of())) {
                if (!index.containsKey(next)) {
                    visit(next);
                    low.put(node, Math.min(low.get(node), low.get(next)));
                } else if (onStack.contains(next)) {
                    low.put(node, Math.min(low.get(node), index.get(next)));
                }
            }
            if (low.get(node).equals(index.get(node))) {
                List<String> component = new ArrayList<>();
                String member;
                do {
                    member = stack.pop();
                    onStack.remove(member);
                    component.add(member);
                } while (!member.equals(node));
                if (component.size() > 1) {
                    cycles.add(component);
                }
            }
        }
    }
}
