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

    /** helm-java's lint takes no --set: lint a copy whose values.yaml has the required values filled. */
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
        ((Map<String, Object>) values.get("dataset")).put("existingClaim", "fashion-mnist");
        Files.writeString(copy.resolve("values.yaml"), new Yaml().dump(values));

        LintResult lint = new Helm(copy).lint().strict().call();
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();

        // again with the agent on, so that its Deployment and NetworkPolicy are linted too
        Map<String, Object> agent = (Map<String, Object>) values.get("agent");
        agent.put("enabled", true);
        agent.put("device", "jetson-nano");
        agent.put("key", "tlr_agentkeyagentkeyagentkey");
        Files.writeString(copy.resolve("values.yaml"), new Yaml().dump(values));
        LintResult withAgent = new Helm(copy).lint().strict().call();
        assertThat(withAgent.isFailed())
                .as(String.join("\n", withAgent.getMessages()))
                .isFalse();
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
        // the key in the environment only: a process's arguments are readable by every user of the node
        assertThat(stringList(agent.get("args"))).doesNotContain("--token");
        assertThat(String.valueOf(agent.get("env"))).contains("TAILOR_AGENT_KEY");
    }

    @Test
    void networkPoliciesLetAnyoneReachTheApiPortAndWorkersNothingWhileBothReachOnlyDnsAndTheDatabase() {
        List<Map<String, Object>> objects = render(t -> t);
        assertThat(objects.stream().filter(o -> "NetworkPolicy".equals(o.get("kind"))))
                .hasSize(2);

        Map<String, Object> api = object(objects, "NetworkPolicy", "tailor-tailor-api");
        assertSelectsPodsOf(api, deployment(objects, "tailor-tailor-api"), "api");
        assertThat(spec(api).get("policyTypes")).isEqualTo(List.of("Ingress", "Egress"));
        // one ingress rule: the HTTP port, from any source (users and off-cluster agents)
        Map<String, Object> apiIngress = map(single(spec(api).get("ingress")));
        assertThat(apiIngress.get("ports")).isEqualTo(List.of(port("TCP", 8080)));
        assertThat(apiIngress).doesNotContainKey("from");
        assertOnlyDnsAndDatabaseEgress(api, 5432);

        Map<String, Object> worker = object(objects, "NetworkPolicy", "tailor-tailor-worker");
        assertSelectsPodsOf(worker, deployment(objects, "tailor-tailor-worker"), "worker");
        // Ingress isolated with no rule: nothing gets in (the kubelet's probes come from the node)
        assertThat(spec(worker).get("policyTypes")).isEqualTo(List.of("Ingress", "Egress"));
        assertThat(spec(worker)).doesNotContainKey("ingress");
        assertOnlyDnsAndDatabaseEgress(worker, 5432);
    }

    @Test
    void theDatabaseEgressTakesThePortTheDatabaseUrlNames() {
        // a pgbouncer in front of PostgreSQL: an upgrade that shipped 5432 would cut the pods off their database
        List<Map<String, Object>> objects =
                render(t -> t.set("database.url", "jdbc:postgresql://pgbouncer.db.svc:6543/tailor?sslmode=require"));

        assertOnlyDnsAndDatabaseEgress(object(objects, "NetworkPolicy", "tailor-tailor-api"), 6543);
        assertOnlyDnsAndDatabaseEgress(object(objects, "NetworkPolicy", "tailor-tailor-worker"), 6543);
        // a URL without a port: PostgreSQL's own
        assertOnlyDnsAndDatabaseEgress(
                object(
                        render(t -> t.set("database.url", "jdbc:postgresql://db/tailor")),
                        "NetworkPolicy",
                        "tailor-tailor-api"),
                5432);
    }

    @Test
    void networkPolicyValuesNarrowIngressPinTheDatabaseAndLetTheAgentReachOnlyTheApi() {
        List<Map<String, Object>> objects = render(t -> t.set("agent.enabled", true)
                .set("agent.device", "jetson-nano")
                .set("agent.key", "tlr_agentkeyagentkeyagentkey")
                .set("networkPolicy.api.from[0].namespaceSelector.matchLabels.team", "web")
                .set("networkPolicy.worker.from[0].ipBlock.cidr", "10.1.0.0/16")
                .set("networkPolicy.worker.extraEgress[0].to[0].ipBlock.cidr", "10.2.0.0/16")
                .set("networkPolicy.database.cidrs[0]", "10.0.12.7/32")
                .set("networkPolicy.database.port", 6432));

        Map<String, Object> api = object(objects, "NetworkPolicy", "tailor-tailor-api");
        Map<String, Object> apiIngress = map(single(spec(api).get("ingress")));
        assertThat(apiIngress.get("ports")).isEqualTo(List.of(port("TCP", 8080)));
        // the configured peers, and the chart's own agent, which must still reach the API
        assertThat(apiIngress.get("from"))
                .isEqualTo(List.of(
                        Map.of("namespaceSelector", Map.of("matchLabels", Map.of("team", "web"))),
                        Map.of(
                                "podSelector",
                                Map.of(
                                        "matchLabels",
                                        Map.of(
                                                "app.kubernetes.io/instance",
                                                "tailor",
                                                "app.kubernetes.io/component",
                                                "agent")))));
        assertOnlyDnsAndDatabaseEgress(api, 6432);
        Map<String, Object> database = map(((List<?>) spec(api).get("egress")).get(1));
        assertThat(database.get("to")).isEqualTo(List.of(Map.of("ipBlock", Map.of("cidr", "10.0.12.7/32"))));

        Map<String, Object> worker = object(objects, "NetworkPolicy", "tailor-tailor-worker");
        Map<String, Object> workerIngress = map(single(spec(worker).get("ingress")));
        assertThat(workerIngress.get("ports")).isEqualTo(List.of(port("TCP", 8081)));
        assertThat(workerIngress.get("from")).isEqualTo(List.of(Map.of("ipBlock", Map.of("cidr", "10.1.0.0/16"))));
        List<?> workerEgress = (List<?>) spec(worker).get("egress");
        assertThat(workerEgress).hasSize(3);
        assertThat(workerEgress.get(2))
                .isEqualTo(Map.of("to", List.of(Map.of("ipBlock", Map.of("cidr", "10.2.0.0/16")))));

        Map<String, Object> agent = object(objects, "NetworkPolicy", "tailor-tailor-agent");
        assertSelectsPodsOf(agent, deployment(objects, "tailor-tailor-agent"), "agent");
        assertThat(spec(agent).get("policyTypes")).isEqualTo(List.of("Ingress", "Egress"));
        assertThat(spec(agent)).doesNotContainKey("ingress");
        List<?> agentEgress = (List<?>) spec(agent).get("egress");
        assertThat(agentEgress).hasSize(2);
        assertDns(map(agentEgress.get(0)));
        Map<String, Object> toApi = map(agentEgress.get(1));
        assertThat(toApi.get("ports")).isEqualTo(List.of(port("TCP", 8080)));
        assertThat(toApi.get("to"))
                .isEqualTo(List.of(Map.of(
                        "podSelector",
                        Map.of(
                                "matchLabels",
                                Map.of(
                                        "app.kubernetes.io/instance",
                                        "tailor",
                                        "app.kubernetes.io/component",
                                        "api")))));
    }

    @Test
    void disablingNetworkPoliciesRendersNone() {
        List<Map<String, Object>> objects = render(t -> t.set("networkPolicy.enabled", false)
                .set("agent.enabled", true)
                .set("agent.device", "jetson-nano")
                .set("agent.key", "tlr_agentkeyagentkeyagentkey"));
        assertThat(objects).noneMatch(o -> "NetworkPolicy".equals(o.get("kind")));
        deployment(objects, "tailor-tailor-agent");
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
        // without its dataset the service never trains and answers every specialization with 503
        assertThatThrownBy(() -> new Helm(CHART)
                        .template()
                        .withName("tailor")
                        .set("database.url", "jdbc:postgresql://db:5432/tailor")
                        .set("access.operatorKey", OPERATOR_KEY)
                        .call())
                .hasMessageContaining("dataset.existingClaim is required");
        assertThat(new Helm(CHART)
                        .template()
                        .withName("tailor")
                        .set("database.url", "jdbc:postgresql://db:5432/tailor")
                        .set("access.operatorKey", OPERATOR_KEY)
                        .set("dataset.inImage", true)
                        .call())
                .contains("kind: Deployment");
    }

    private static List<Map<String, Object>> render(UnaryOperator<TemplateCommand> settings) {
        TemplateCommand template = new Helm(CHART)
                .template()
                .withName("tailor")
                .set("database.url", "jdbc:postgresql://db:5432/tailor")
                .set("access.operatorKey", OPERATOR_KEY)
                .set("dataset.existingClaim", "fashion-mnist");
        String manifest = settings.apply(template).call();
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Object document : new Yaml().loadAll(manifest)) {
            if (document != null) {
                objects.add(map(document));
            }
        }
        return objects;
    }

    /** The policy selects by instance and component, and the Deployment's pods carry both labels. */
    private static void assertSelectsPodsOf(
            Map<String, Object> policy, Map<String, Object> deployment, String component) {
        Map<String, Object> selector = map(map(spec(policy).get("podSelector")).get("matchLabels"));
        assertThat(selector)
                .isEqualTo(Map.of("app.kubernetes.io/instance", "tailor", "app.kubernetes.io/component", component));
        Map<String, Object> podLabels =
                map(map(map(spec(deployment).get("template")).get("metadata")).get("labels"));
        assertThat(podLabels).containsAllEntriesOf(selector);
    }

    /** Egress is DNS (kube-dns, port 53) and the database's port, and nothing else. */
    private static void assertOnlyDnsAndDatabaseEgress(Map<String, Object> policy, int databasePort) {
        List<?> egress = (List<?>) spec(policy).get("egress");
        assertThat(egress).hasSize(2);
        assertDns(map(egress.get(0)));
        assertThat(map(egress.get(1)).get("ports")).isEqualTo(List.of(port("TCP", databasePort)));
    }

    private static void assertDns(Map<String, Object> rule) {
        assertThat(rule.get("ports")).isEqualTo(List.of(port("UDP", 53), port("TCP", 53)));
        assertThat(rule.get("to"))
                .isEqualTo(List.of(Map.of(
                        "namespaceSelector",
                        Map.of("matchLabels", Map.of("kubernetes.io/metadata.name", "kube-system")),
                        "podSelector",
                        Map.of("matchLabels", Map.of("k8s-app", "kube-dns")))));
    }

    private static Map<String, Object> port(String protocol, int port) {
        return Map.of("protocol", protocol, "port", port);
    }

    private static Object single(Object list) {
        assertThat(list).isInstanceOf(List.class);
        assertThat((List<?>) list).hasSize(1);
        return ((List<?>) list).get(0);
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
