package dev.tailor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The chart rendered and linted by Helm's own engine (helm-java runs Helm's Go code in process), then
 * read as the Kubernetes objects it would create: roles, verbs, probes, secrets and the agent switch.
 */
class HelmChartTest {

    private static final Path CHART = Path.of("helm/tailor");
    private static final String OPERATOR_KEY = "an-operator-key-of-at-least-32-characters";

    /** helm-java's lint takes no --set: lint a copy whose values.yaml has the two required values filled. */
    @Test
    @SuppressWarnings("unchecked")
    void helmLintsTheChartStrictlyWithoutFindings(@TempDir Path copy) throws IOException {
        try (Stream<Path> files = Files.walk(CHART)) {
            for (Path file : files.toList()) {
                Path target = copy.resolve(CHART.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
        Map<String, Object> values = new Yaml().load(Files.readString(copy.resolve("values.yaml")));
        ((Map<String, Object>) values.get("database")).put("url", "jdbc:postgresql://db:5432/tailor");
        ((Map<String, Object>) values.get("access")).put("operatorKey", OPERATOR_KEY);
        Files.writeString(copy.resolve("values.yaml"), new Yaml().dump(values));

        LintResult lint = new Helm(copy).lint().strict().call();
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    }

    @Test
    void apiReplicasServeWithoutTheWorkerAndWorkersRunTheWorkerVerb() {
        List<Map<String, Object>> objects = render(
                t -> t.set("api.replicas", 3).set("worker.replicas", 2).set("dataset.existingClaim", "fashion-mnist"));

        Map<String, Object> api = deployment(objects, "tailor-tailor-api");
        Map<String, Object> apiContainer = container(api);
        assertThat(spec(api)).containsEntry("replicas", 3);
        assertThat(apiContainer.get("args")).isEqualTo(List.of("serve"));
        assertThat(env(apiContainer)).containsEntry("TAILOR_WORKER_ENABLED", "false");
        assertThat(probePath(apiContainer, "readinessProbe")).isEqualTo("/actuator/health/readiness");
        assertThat(probePath(apiContainer, "livenessProbe")).isEqualTo("/actuator/health/liveness");

        Map<String, Object> worker = deployment(objects, "tailor-tailor-worker");
        Map<String, Object> workerContainer = container(worker);
        assertThat(spec(worker)).containsEntry("replicas", 2);
        assertThat(workerContainer.get("args")).isEqualTo(List.of("worker"));
        assertThat(env(workerContainer)).doesNotContainKey("TAILOR_WORKER_ENABLED");
        assertThat(env(workerContainer)).containsEntry("TAILOR_DATASET_DIR", "/var/lib/tailor/datasets/default");
        assertThat(String.valueOf(env(workerContainer).get("JAVA_TOOL_OPTIONS")))
                .contains("MaxRAMPercentage=40");
        assertThat(env(workerContainer)).containsEntry("TAILOR_TRAINING_DEVICE", "cpu");
        assertThat(env(apiContainer)).doesNotContainKey("TAILOR_TRAINING_DEVICE");

        Map<String, Object> secret = object(objects, "Secret", "tailor-tailor-database");
        assertThat(map(secret.get("stringData")))
                .containsEntry("url", "jdbc:postgresql://db:5432/tailor")
                .containsEntry("operator-key", OPERATOR_KEY);
        assertThat(objects).noneMatch(o -> "tailor-tailor-agent".equals(name(o)));

        // Kubernetes waits longer than the process's own stop takes before it sends SIGKILL
        for (Map<String, Object> deployment : List.of(api, worker)) {
            Map<String, Object> pod = map(map(spec(deployment).get("template")).get("spec"));
            assertThat(((Number) pod.get("terminationGracePeriodSeconds")).longValue())
                    .isGreaterThan(TailorApplication.STOP_LIMIT.toSeconds());
        }
    }

    @Test
    void gpuWorkersGetTheirDeviceAndTheLibtorchTheyAreGiven() {
        List<Map<String, Object>> objects = render(t -> t.set("worker.trainingDevice", "gpu")
                .set("worker.extraEnv[0].name", "PYTORCH_LIBRARY_PATH")
                .set("worker.extraEnv[0].value", "/opt/libtorch/lib")
                .set("worker.extraEnv[1].name", "PYTORCH_FLAVOR")
                .set("worker.extraEnv[1].value", "cu128"));
        Map<String, Object> workerEnv = env(container(deployment(objects, "tailor-tailor-worker")));
        assertThat(workerEnv)
                .containsEntry("TAILOR_TRAINING_DEVICE", "gpu")
                .containsEntry("PYTORCH_LIBRARY_PATH", "/opt/libtorch/lib")
                .containsEntry("PYTORCH_FLAVOR", "cu128");
        assertThat(env(container(deployment(objects, "tailor-tailor-api")))).doesNotContainKey("PYTORCH_FLAVOR");
    }

    @Test
    void anAgentDeploymentIsRenderedOnlyWhenEnabledAndNeedsItsKey() {
        assertThatThrownBy(() -> render(t -> t.set("agent.enabled", true).set("agent.device", "jetson-nano")))
                .hasMessageContaining("agent.key is required");

        List<Map<String, Object>> objects = render(t -> t.set("agent.enabled", true)
                .set("agent.device", "jetson-nano")
                .set("agent.key", "tlr_agentkeyagentkeyagentkey"));
        Map<String, Object> agent = container(deployment(objects, "tailor-tailor-agent"));
        assertThat(String.join(" ", stringList(agent.get("args")))).startsWith("agent");
        assertThat(String.join(" ", stringList(agent.get("args")))).contains("jetson-nano");
    }

    @Test
    void renderingRefusesAChartWithoutItsDatabaseOrOperatorKey() {
        assertThatThrownBy(() -> new Helm(CHART).template().withName("tailor").call())
                .hasMessageContaining("database.url is required");
        assertThatThrownBy(() -> new Helm(CHART)
                        .template()
                        .withName("tailor")
                        .set("database.url", "jdbc:postgresql://db:5432/tailor")
                        .call())
                .hasMessageContaining("access.operatorKey is required");
    }

    private static List<Map<String, Object>> render(UnaryOperator<TemplateCommand> settings) {
        TemplateCommand template = new Helm(CHART)
                .template()
                .withName("tailor")
                .set("database.url", "jdbc:postgresql://db:5432/tailor")
                .set("access.operatorKey", OPERATOR_KEY);
        String manifest = settings.apply(template).call();
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Object document : new Yaml().loadAll(manifest)) {
            if (document != null) {
                objects.add(map(document));
            }
        }
        return objects;
    }

    private static Map<String, Object> deployment(List<Map<String, Object>> objects, String name) {
        return object(objects, "Deployment", name);
    }

    private static Map<String, Object> object(List<Map<String, Object>> objects, String kind, String name) {
        return objects.stream()
                .filter(o -> kind.equals(o.get("kind")) && name.equals(name(o)))
                .findFirst()
                .orElseThrow(() -> new AssertionError(kind + " " + name + " not rendered; got "
                        + objects.stream()
                                .map(o -> o.get("kind") + "/" + name(o))
                                .toList()));
    }

    private static String name(Map<String, Object> object) {
        return String.valueOf(map(object.get("metadata")).get("name"));
    }

    private static Map<String, Object> spec(Map<String, Object> deployment) {
        return map(deployment.get("spec"));
    }

    private static Map<String, Object> container(Map<String, Object> deployment) {
        Map<String, Object> podSpec = map(map(spec(deployment).get("template")).get("spec"));
        List<?> containers = (List<?>) podSpec.get("containers");
        assertThat(containers).hasSize(1);
        return map(containers.get(0));
    }

    /** Plain env values by name; those from a Secret or ConfigMap map to their source's key. */
    private static Map<String, Object> env(Map<String, Object> container) {
        Map<String, Object> env = new java.util.LinkedHashMap<>();
        for (Object entry : (List<?>) container.getOrDefault("env", List.of())) {
            Map<String, Object> variable = map(entry);
            env.put(
                    String.valueOf(variable.get("name")),
                    Objects.requireNonNullElse(variable.get("value"), variable.get("valueFrom")));
        }
        return env;
    }

    private static String probePath(Map<String, Object> container, String probe) {
        return String.valueOf(map(map(container.get(probe)).get("httpGet")).get("path"));
    }

    private static List<String> stringList(Object value) {
        return ((List<?>) value).stream().map(String::valueOf).toList();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        assertThat(value).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }
}
