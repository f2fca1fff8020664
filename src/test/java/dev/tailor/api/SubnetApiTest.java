package dev.tailor.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tailor.catalogue.Device;
import dev.tailor.catalogue.DeviceRepository;
import dev.tailor.catalogue.Evaluation;
import dev.tailor.catalogue.EvaluationRepository;
import dev.tailor.catalogue.ExecutionProvider;
import dev.tailor.catalogue.LatencyMeasurement;
import dev.tailor.catalogue.LatencyMeasurementRepository;
import dev.tailor.catalogue.LatencySource;
import dev.tailor.catalogue.Measurement;
import dev.tailor.catalogue.Split;
import dev.tailor.catalogue.Subnet;
import dev.tailor.catalogue.SubnetCost;
import dev.tailor.catalogue.SubnetCostRepository;
import dev.tailor.catalogue.SubnetRepository;
import dev.tailor.catalogue.Supernet;
import dev.tailor.catalogue.SupernetRepository;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

class SubnetApiTest extends ApiTestSupport {

    @Autowired
    SupernetRepository supernets;

    @Autowired
    SubnetRepository subnets;

    @Autowired
    EvaluationRepository evaluations;

    @Autowired
    SubnetCostRepository costs;

    @Autowired
    DeviceRepository devices;

    @Autowired
    LatencyMeasurementRepository latencies;

    private UUID supernetId;
    private String deviceName;

    /** Four subnets: depth d has accuracy 0.7 + d/100, 1 M MACs per depth and 2 ms per depth on the device. */
    @BeforeEach
    void catalogue() {
        Supernet supernet =
                supernets.save(new Supernet("fixture", "{\"version\":1,\"resolutions\":[28]}", "fashion-mnist"));
        supernetId = supernet.getId();
        deviceName = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        Device device = devices.save(
                new Device(deviceName, null, "onnxruntime", ExecutionProvider.CPU, null, null, Measurement.HOST));
        for (int depth = 1; depth <= 4; depth++) {
            Subnet subnet = subnets.save(new Subnet(supernet, "{\"depths\":[" + depth + "],\"resolution\":28}"));
            evaluations.save(new Evaluation(subnet, Split.VALIDATION, 0.70 + depth / 100.0, 5000));
            evaluations.save(new Evaluation(subnet, Split.TEST, 0.69 + depth / 100.0, 10000));
            costs.save(new SubnetCost(subnet, depth * 1_000_000L, depth * 10_000L, depth * 4096L));
            if (depth < 4) { // the deepest subnet has no latency on the device
                latencies.save(LatencyMeasurement.ofSubnet(
                        device,
                        subnet,
                        1,
                        28,
                        new LatencyMeasurement.Timing(
                                2.0 * depth, 2.5 * depth, 2.1 * depth, 0.1, 50, 1, "1.x", LatencySource.MEASURED)));
            }
        }
    }

    private JsonNode subnets(String query) {
        var response = get("/api/v1/supernets/" + supernetId + "/subnets?" + query);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        // every query's page is what the spec says, latencies on a device included
        assertThat(SpecSchemas.responseViolations("listSubnets", response)).isEmpty();
        return body(response);
    }

    private static List<Long> macs(JsonNode page) {
        return page.path("items")
                .valueStream()
                .map(item -> item.path("cost").path("macs").asLong())
                .toList();
    }

    @Test
    void defaultOrderIsBestValidationAccuracyFirst() {
        JsonNode page = subnets("");
        assertThat(page.path("totalItems").asLong()).isEqualTo(4);
        assertThat(macs(page)).containsExactly(4_000_000L, 3_000_000L, 2_000_000L, 1_000_000L);
        JsonNode best = page.path("items").get(0);
        assertThat(best.path("accuracy").path("validation").asDouble()).isEqualTo(0.74);
        assertThat(best.path("accuracy").path("test").asDouble()).isEqualTo(0.73);
        assertThat(best.path("config").path("depths").get(0).asInt()).isEqualTo(4);
        assertThat(best.path("configSha256").asString()).hasSize(64);
        assertThat(best.path("latency").isNull() || best.path("latency").isMissingNode())
                .isTrue();
    }

    @Test
    void filtersByMacsAndAccuracy() {
        assertThat(macs(subnets("maxMacs=2500000&sort=macs"))).containsExactly(1_000_000L, 2_000_000L);
        assertThat(macs(subnets("minAccuracy=0.725&sort=macs"))).containsExactly(3_000_000L, 4_000_000L);
    }

    /** The count is its own query with only the joins the filters read: it must count what the page lists. */
    @Test
    void totalsCountWhatTheFiltersLetThrough() {
        assertThat(subnets("maxMacs=2500000").path("totalItems").asLong()).isEqualTo(2);
        assertThat(subnets("minAccuracy=0.725").path("totalItems").asLong()).isEqualTo(2);
        assertThat(subnets("device=" + deviceName).path("totalItems").asLong()).isEqualTo(4);
        assertThat(subnets("device=" + deviceName + "&maxLatencyMs=4.5")
                        .path("totalItems")
                        .asLong())
                .isEqualTo(2);
        assertThat(subnets("device=" + deviceName + "&maxLatencyMs=5&maxMacs=1500000&minAccuracy=0.705")
                        .path("totalItems")
                        .asLong())
                .isEqualTo(1);
        assertThat(subnets("minAccuracy=0.9").path("totalItems").asLong()).isZero();
    }

    @Test
    void latencyFilterUsesTheNamedDeviceAndSaysWhereTheFigureCameFrom() {
        JsonNode page = subnets("device=" + deviceName + "&maxLatencyMs=4.5&sort=-latency");
        assertThat(macs(page)).containsExactly(2_000_000L, 1_000_000L);
        JsonNode latency = page.path("items").get(0).path("latency");
        assertThat(latency.path("p50Ms").asDouble()).isEqualTo(4.0);
        assertThat(latency.path("source").asString()).isEqualTo("measured");
        assertThat(latency.path("device").asString()).isEqualTo(deviceName);
    }

    @Test
    void pagesCoverTheWholeListOnce() {
        JsonNode first = subnets("sort=macs&size=3&page=0");
        JsonNode second = subnets("sort=macs&size=3&page=1");
        assertThat(first.path("totalPages").asLong()).isEqualTo(2);
        assertThat(macs(first)).containsExactly(1_000_000L, 2_000_000L, 3_000_000L);
        assertThat(macs(second)).containsExactly(4_000_000L);
    }

    @Test
    void supernetIsListedAndFetched() {
        HttpResponse<String> got = get("/api/v1/supernets/" + supernetId);
        JsonNode supernet = body(got);
        assertThat(supernet.path("state").asString()).isEqualTo("training");
        assertThat(supernet.path("searchSpace").path("resolutions").get(0).asInt())
                .isEqualTo(28);
        HttpResponse<String> listed = get("/api/v1/supernets?size=200");
        JsonNode list = body(listed);
        assertThat(list.path("items").valueStream().map(s -> s.path("id").asString()))
                .contains(supernetId.toString());
        // the bodies are what the checked-in spec says they are (searchSpace an object, not a string)
        assertThat(SpecSchemas.responseViolations("getSupernet", got)).isEmpty();
        assertThat(SpecSchemas.responseViolations("listSupernets", listed)).isEmpty();
        JsonNode subnets = subnets("size=200");
        assertThat(subnets.path("items").size()).isPositive();
    }
}
