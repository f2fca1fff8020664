package dev.tailor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * No Docker engine or Helm binary runs here, so the deployment files are checked as far as a
 * parser can: they parse, name real verbs and probes, and the chart uses exactly its values.
 */
class DeploymentFilesTest {

    private static final Path CHART = Path.of("helm/tailor");
    private static final Pattern VALUE_REFERENCE = Pattern.compile("\\.Values\\.([A-Za-z0-9_.]+)");
    private static final Pattern DIRECTIVE_LINE = Pattern.compile("^\\s*\\{\\{-?[^}]*-?}}\\s*$");
    private static final Pattern DIRECTIVE = Pattern.compile("\\{\\{-?[^}]*-?}}");

    @Test
    @SuppressWarnings("unchecked")
    void composeRunsPostgresApiAndWorkerWithRealVerbs() throws IOException {
        Map<String, Object> compose = new Yaml().load(Files.readString(Path.of("docker-compose.yml")));
        Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");

        assertThat(services).containsKeys("postgres", "api", "worker");
        for (String role : List.of("api", "worker")) {
            Map<String, Object> service = services.get(role);
            String verb = ((List<String>) service.get("command")).get(0);
            assertThat(Verb.byName(verb)).as(role + " runs verb " + verb).isPresent();
            assertThat((Map<String, Object>) service.get("environment"))
                    .as(role + " points at the compose PostgreSQL")
                    .containsKey("SPRING_DATASOURCE_URL");
            // Docker's 10 s default would SIGKILL a stop that lets an export finish
            String grace = String.valueOf(service.get("stop_grace_period"));
            assertThat(grace).as(role + " stop_grace_period").matches("\\d+s");
            assertThat(Long.parseLong(grace.substring(0, grace.length() - 1)))
                    .isGreaterThan(TailorApplication.STOP_LIMIT.toSeconds());
        }
        // a CMD-SHELL check runs under /bin/sh, dash in Debian and Ubuntu images, which has no /dev/tcp:
        // the API stayed "unhealthy" in a real docker-compose run (bench/results/compose-check.md)
        List<String> check =
                (List<String>) ((Map<String, Object>) services.get("api").get("healthcheck")).get("test");
        assertThat(check.subList(0, 2)).containsExactly("CMD", "bash");
        assertThat(check.get(check.size() - 1)).contains("/actuator/health/readiness");
    }

    @Test
    @SuppressWarnings("unchecked")
    void apiReplicasQueueWorkWithoutRunningItAndKeepReadsKeyed() throws IOException {
        Map<String, Object> values = new Yaml().load(Files.readString(CHART.resolve("values.yaml")));
        String api = Files.readString(CHART.resolve("templates/deployment-api.yaml"));
        assertThat(api).containsPattern("name: TAILOR_WORKER_ENABLED\\s+value: \"false\"");
        assertThat(api).contains("name: TAILOR_SECURITY_OPERATOR_KEY");
        String worker = Files.readString(CHART.resolve("templates/deployment-worker.yaml"));
        assertThat(worker).doesNotContain("TAILOR_WORKER_ENABLED");
        // libtorch's tensors live outside the heap: the heap must leave room for them under the limit
        Map<String, Object> workerValues = (Map<String, Object>) values.get("worker");
        assertThat((String) workerValues.get("javaOpts")).contains("MaxRAMPercentage=40");
        // API pods export (they read the dataset) and workers train: both mount it when a claim is given
        assertThat(api).contains("TAILOR_DATASET_DIR").contains("claimName: {{ .Values.dataset.existingClaim }}");
        assertThat(worker).contains("TAILOR_DATASET_DIR").contains("claimName: {{ .Values.dataset.existingClaim }}");
        assertThat((Map<String, Object>) values.get("access")).containsEntry("reads", "keyed");
        assertThat(Files.readString(CHART.resolve("templates/secret.yaml"))).contains("operator-key:");

        Map<String, Object> compose = new Yaml().load(Files.readString(Path.of("docker-compose.yml")));
        Map<String, Object> composeApi = ((Map<String, Map<String, Object>>) compose.get("services")).get("api");
        assertThat((Map<String, Object>) composeApi.get("environment")).containsEntry("TAILOR_WORKER_ENABLED", "false");
    }

    @Test
    void theGpuProfileSwapsInOnnxRuntimesGpuPackageOfTheSameVersion() throws IOException {
        String pom = Files.readString(Path.of("pom.xml"));
        assertThat(pom).contains("<onnxruntime.artifact>onnxruntime</onnxruntime.artifact>");
        assertThat(pom).contains("<artifactId>${onnxruntime.artifact}</artifactId>");
        Matcher profile = Pattern.compile("<profile>\\s*<id>gpu</id>(.*?)</profile>", Pattern.DOTALL)
                .matcher(pom);
        assertThat(profile.find()).isTrue();
        assertThat(profile.group(1)).contains("<onnxruntime.artifact>onnxruntime_gpu</onnxruntime.artifact>");
    }

    @Test
    void dockerfileBuildsInStagesAndRunsAsAnUnprivilegedUser() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("Dockerfile"));
        assertThat(lines.stream().filter(l -> l.startsWith("FROM "))).hasSizeGreaterThanOrEqualTo(2);
        assertThat(lines.stream().filter(l -> l.startsWith("USER ")))
                .singleElement()
                .satisfies(user -> assertThat(user).doesNotContain("root").doesNotContain(" 0"));
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("ENTRYPOINT").contains("tailor.jar"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void chartParsesAndItsValuesAreExactlyTheOnesItsTemplatesUse() throws IOException {
        Map<String, Object> chart = new Yaml().load(Files.readString(CHART.resolve("Chart.yaml")));
        assertThat(chart).containsEntry("apiVersion", "v2").containsKey("version");
        Map<String, Object> values = new Yaml().load(Files.readString(CHART.resolve("values.yaml")));

        Set<String> referenced = new TreeSet<>();
        List<Path> templates;
        try (Stream<Path> files = Files.list(CHART.resolve("templates"))) {
            templates = files.sorted().toList();
        }
        for (Path template : templates) {
            Matcher matcher = VALUE_REFERENCE.matcher(Files.readString(template));
            while (matcher.find()) {
                referenced.add(matcher.group(1));
            }
        }

        for (String reference : referenced) {
            assertThat(lookup(values, reference))
                    .as(".Values." + reference + " is in values.yaml")
                    .isTrue();
        }
        List<String> leaves = new ArrayList<>();
        flatten("", values, leaves);
        for (String leaf : leaves) {
            assertThat(referenced.stream().anyMatch(r -> leaf.equals(r) || leaf.startsWith(r + ".")))
                    .as("values.yaml's " + leaf + " is used by a template")
                    .isTrue();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void chartTemplatesAreKubernetesObjectsWithProbesOnTheActuatorGroups() throws IOException {
        List<Path> manifests;
        try (Stream<Path> files = Files.list(CHART.resolve("templates"))) {
            manifests =
                    files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(manifests).hasSizeGreaterThanOrEqualTo(5);
        int deployments = 0;
        for (Path manifest : manifests) {
            Map<String, Object> object = new Yaml().load(withoutDirectives(Files.readString(manifest)));
            assertThat(object).as(manifest.toString()).containsKeys("apiVersion", "kind", "metadata");
            if ("Deployment".equals(object.get("kind"))) {
                deployments++;
                String text = Files.readString(manifest);
                Matcher args = Pattern.compile("args: \\[\"([a-z]+)\"").matcher(text);
                assertThat(args.find()).as(manifest + " names a verb").isTrue();
                assertThat(Verb.byName(args.group(1))).isPresent();
                if (args.group(1).equals("agent")) {
                    // an agent serves no HTTP: nothing to probe; it is optional
                    assertThat(text)
                            .startsWith("{{- if .Values.agent.enabled }}")
                            .doesNotContain("Probe");
                } else {
                    assertThat(text).contains("/actuator/health/liveness").contains("/actuator/health/readiness");
                }
            }
        }
        assertThat(deployments).isEqualTo(3);
    }

    /** Template directives out: whole-line ones dropped, inline ones replaced by a placeholder. */
    private static String withoutDirectives(String template) {
        StringBuilder yaml = new StringBuilder();
        for (String line : template.split("\n")) {
            if (!DIRECTIVE_LINE.matcher(line).matches()) {
                yaml.append(DIRECTIVE.matcher(line).replaceAll("X")).append('\n');
            }
        }
        return yaml.toString();
    }

    @SuppressWarnings("unchecked")
    private static boolean lookup(Map<String, Object> values, String dottedPath) {
        Object node = values;
        for (String key : dottedPath.split("\\.")) {
            if (!(node instanceof Map<?, ?> map) || !map.containsKey(key)) {
                return false;
            }
            node = ((Map<String, Object>) map).get(key);
        }
        return true;
    }

    @SuppressWarnings("unchecked")
    private static void flatten(String prefix, Map<String, Object> map, List<String> leaves) {
        map.forEach((key, value) -> {
            String path = prefix.isEmpty() ? key : prefix + "." + key;
            if (value instanceof Map<?, ?> child && !child.isEmpty()) {
                flatten(path, (Map<String, Object>) child, leaves);
            } else {
                leaves.add(path);
            }
        });
    }
}
