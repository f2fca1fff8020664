package dev.tailor.catalogue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.dao.DataIntegrityViolationException;

/** The schema's own guarantees, against the real PostgreSQL the service uses. */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "tailor.home=target/test-home/${random.uuid}",
            "spring.profiles.active=serve",
            "tailor.bootstrap.enabled=false"
        })
class CatalogueTest {

    @Autowired
    SupernetRepository supernets;

    @Autowired
    SubnetRepository subnets;

    @Autowired
    DeviceRepository devices;

    @Autowired
    LatencyMeasurementRepository latencies;

    @Autowired
    TrainingJobRepository jobs;

    @Autowired
    ArtifactRepository artifacts;

    @Test
    void subnetIdentityIsTheHashOfItsConfigAndUniquePerSupernet() {
        Supernet supernet = supernets.save(new Supernet("s", "{}", "fashion-mnist"));
        Subnet subnet = subnets.saveAndFlush(new Subnet(supernet, "{\"depths\":[2,3]}"));

        assertThat(subnet.getConfigSha256()).isEqualTo(Artifact.sha256("{\"depths\":[2,3]}".getBytes()));
        assertThat(subnets.findBySupernetIdAndConfigSha256(supernet.getId(), subnet.getConfigSha256()))
                .isPresent();
        assertThatThrownBy(() -> subnets.saveAndFlush(new Subnet(supernet, "{\"depths\":[2,3]}")))
                .isInstanceOf(DataIntegrityViolationException.class);
        // the same config under another supernet is another subnet
        Supernet other = supernets.save(new Supernet("t", "{}", "fashion-mnist"));
        assertThat(subnets.saveAndFlush(new Subnet(other, "{\"depths\":[2,3]}")).getId())
                .isNotEqualTo(subnet.getId());
    }

    @Test
    void aLatencyMeasurementIsOfASubnetOrOfALayerNeverNeither() {
        Device device = devices.save(new Device(
                "layer-dev-" + System.nanoTime(),
                null,
                "onnxruntime",
                ExecutionProvider.CPU,
                null,
                null,
                Measurement.HOST));
        var timing = new LatencyMeasurement.Timing(1.0, 1.2, 1.05, 0.02, 100, 1, "1.23.0", LatencySource.MEASURED);
        LatencyMeasurement layer = latencies.saveAndFlush(
                LatencyMeasurement.ofLayer(device, "mbconv:14x14x24->14x14x24:e4:k5:s1:se:hswish", 1, 28, timing));
        assertThat(layer.getId()).isNotNull();

        assertThatThrownBy(() -> latencies.saveAndFlush(LatencyMeasurement.ofLayer(device, null, 1, 28, timing)))
                .isInstanceOf(DataIntegrityViolationException.class);
    }

    @Test
    void trainingJobKeepsItsStateProgressAndCheckpoint() {
        Artifact checkpoint = artifacts.save(Artifact.of(new byte[] {1, 2, 3}, "application/octet-stream"));
        TrainingJob job = new TrainingJob("deps", "fashion-mnist", "{\"epochs\":4,\"batchSize\":128}");
        job.setState(JobState.RUNNING);
        job.setProgress("{\"epoch\":2,\"step\":900,\"phase\":\"shrinking\"}");
        job.setLastCheckpoint(checkpoint.getSha256());
        jobs.saveAndFlush(job);

        TrainingJob stored = jobs.findById(job.getId()).orElseThrow();
        assertThat(stored.getState()).isEqualTo(JobState.RUNNING);
        assertThat(stored.getProgress()).contains("\"epoch\": 2").contains("shrinking");
        assertThat(stored.getLastCheckpoint()).isEqualTo(checkpoint.getSha256());
    }

    @Test
    void anAccuracyOutsideZeroToOneIsRefusedByTheSchema(@Autowired EvaluationRepository evaluations) {
        Supernet supernet = supernets.save(new Supernet("e", "{}", "fashion-mnist"));
        Subnet subnet = subnets.saveAndFlush(new Subnet(supernet, "{\"depths\":[4]}"));
        assertThat(evaluations
                        .saveAndFlush(new Evaluation(subnet, Split.TEST, 0.91, 10000))
                        .getId())
                .isNotNull();
        assertThatThrownBy(() -> evaluations.saveAndFlush(new Evaluation(subnet, Split.TEST, 91.0, 10000)))
                .isInstanceOf(DataIntegrityViolationException.class);
    }
}
