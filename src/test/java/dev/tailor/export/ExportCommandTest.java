package dev.tailor.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.tailor.catalogue.Artifact;
import dev.tailor.catalogue.ArtifactRepository;
import dev.tailor.catalogue.EvaluationRepository;
import dev.tailor.catalogue.Split;
import dev.tailor.catalogue.SubnetRepository;
import dev.tailor.catalogue.Supernet;
import dev.tailor.catalogue.SupernetRepository;
import dev.tailor.catalogue.TrainingJob;
import dev.tailor.catalogue.TrainingJobRepository;
import dev.tailor.data.DatasetFormat;
import dev.tailor.data.Datasets;
import dev.tailor.data.ImageDataset;
import dev.tailor.data.Normalization;
import dev.tailor.jobs.IdxFixture;
import dev.tailor.jobs.TrainingJobRunner;
import dev.tailor.jobs.TrainingJobSpec;
import dev.tailor.onnx.OnnxExport;
import dev.tailor.space.SearchSpace;
import dev.tailor.space.SubnetConfig;
import dev.tailor.training.TrainingListener;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The export verb against a supernet trained for a few steps on a generated IDX dataset. */
@SpringBootTest(
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
            "tailor.home=target/test-home/${random.uuid}",
            "spring.profiles.active=serve",
            "tailor.bootstrap.enabled=false"
        })
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExportCommandTest {

    private static final SearchSpace SPACE = SearchSpace.named(SearchSpace.FASHION_MNIST);

    @TempDir
    static Path directory;

    @Autowired
    SubnetExporter exporter;

    @Autowired
    TrainingJobRunner runner;

    @Autowired
    TrainingJobRepository jobs;

    @Autowired
    SupernetRepository supernets;

    @Autowired
    SubnetRepository subnets;

    @Autowired
    EvaluationRepository evaluations;

    @Autowired
    ArtifactRepository artifacts;

    @Autowired
    dev.tailor.catalogue.LatencyMeasurementRepository latencies;

    @Autowired
    org.springframework.transaction.support.TransactionTemplate transactions;

    Path dataset;
    UUID supernetId;

    @BeforeAll
    void trainATinySupernet() throws Exception {
        dataset = IdxFixture.write(directory.resolve("generated"), 640, 200);
        TrainingJobSpec spec = new TrainingJobSpec(
                "export-fixture",
                "deps",
                dataset.toString(),
                null,
                2,
                32,
                0.05,
                null,
                null,
                100,
                null,
                null,
                64,
                4,
                null,
                null,
                null,
                null);
        TrainingJob job = runner.create(spec.prepare(null));
        TrainingJobRunner.Outcome outcome = runner.run(job.getId(), null, new TrainingListener() {});
        assertThat(outcome.error()).isNull();
        supernetId = outcome.supernetId();
    }

    private record Run(int exitCode, String out, String err) {}

    private Run export(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new ExportCommand(
                        exporter,
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8))
                .execute(args);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void anExportedModelClassifiesTestImagesInPlainOnnxRuntimeAtTheCataloguedAccuracy() throws Exception {
        Path file = directory.resolve("largest.onnx");
        Run run = export(
                "--supernet",
                supernetId.toString(),
                "--config",
                SPACE.largest().canonicalJson(),
                "-o",
                file.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("wrote").contains("ONNX Runtime");
        byte[] bytes = Files.readAllBytes(file);
        String sha256 = Artifact.sha256(bytes);
        var subnet = subnets.findBySupernetIdAndConfigSha256(
                        supernetId, SPACE.largest().sha256())
                .orElseThrow();
        assertThat(subnet.getOnnxSha256()).isEqualTo(sha256);
        assertThat(artifacts.findById(sha256).orElseThrow().getMediaType()).isEqualTo(OnnxExport.MEDIA_TYPE);
        assertThat(run.out()).contains("host-cpu latency");
        transactions.executeWithoutResult(status -> assertThat(latencies.findAll())
                .filteredOn(m -> m.getSubnet() != null && m.getSubnet().getId().equals(subnet.getId()))
                .first()
                .satisfies(m -> {
                    assertThat(m.getDevice().getName()).isEqualTo("host-cpu");
                    assertThat(m.getDevice().getDescription()).contains("logical cores");
                    assertThat(m.getSource()).hasToString("MEASURED");
                    assertThat(m.getRuntimeVersion()).startsWith("onnxruntime ");
                    assertThat(m.getThreads()).isEqualTo(1);
                    assertThat(m.getBatchSize()).isEqualTo(1);
                    assertThat(m.getResolution()).isEqualTo(28);
                    assertThat(m.getP50Ms()).isPositive();
                }));
        double cataloguedTest = evaluations.findAll().stream()
                .filter(e -> e.getSubnet().getId().equals(subnet.getId()) && e.getSplit() == Split.TEST)
                .findFirst()
                .orElseThrow()
                .getTop1Accuracy();

        // Only ONNX Runtime and the file's own metadata from here on
        OrtEnvironment ort = OrtEnvironment.getEnvironment();
        try (OrtSession session = ort.createSession(bytes, new OrtSession.SessionOptions())) {
            Map<String, String> metadata = session.getMetadata().getCustomMetadata();
            JsonNode normalization = JsonMapper.builder().build().readTree(metadata.get("tailor.normalization"));
            float mean = (float) normalization.get("mean").get(0).asDouble();
            float std = (float) normalization.get("std").get(0).asDouble();
            ImageDataset test = Datasets.load(dataset, DatasetFormat.IDX).test();
            int pixels = 28 * 28;
            float[] images = new float[test.size() * pixels];
            for (int i = 0; i < test.size(); i++) {
                // raw pixels in [0, 1], then the file's normalisation
                test.copyNormalized(i, new Normalization(new float[] {0}, new float[] {1}), images, i * pixels);
            }
            for (int i = 0; i < images.length; i++) {
                images[i] = (images[i] - mean) / std;
            }
            long correct = 0;
            try (OnnxTensor input = OnnxTensor.createTensor(
                            ort, FloatBuffer.wrap(images), new long[] {test.size(), 1, 28, 28});
                    OrtSession.Result result = session.run(Map.of("image", input))) {
                float[][] logits =
                        (float[][]) result.get("logits").orElseThrow().getValue();
                for (int i = 0; i < logits.length; i++) {
                    int best = 0;
                    for (int c = 1; c < logits[i].length; c++) {
                        if (logits[i][c] > logits[i][best]) {
                            best = c;
                        }
                    }
                    if (best == test.label(i)) {
                        correct++;
                    }
                }
            }
            assertThat((double) correct / test.size()).isCloseTo(cataloguedTest, offset(0.001));
            assertThat(Double.parseDouble(metadata.get("tailor.test_top1"))).isCloseTo(cataloguedTest, offset(1e-6));
        }

        Path again = directory.resolve("again.onnx");
        assertThat(export(
                                "--supernet",
                                supernetId.toString(),
                                "--config",
                                SPACE.largest().canonicalJson(),
                                "-o",
                                again.toString())
                        .exitCode())
                .isZero();
        assertThat(Files.readAllBytes(again))
                .as("same config, same checkpoint: same bytes")
                .isEqualTo(bytes);
    }

    @Test
    void twentySeededRandomSubnetsRunInOnnxRuntimeAsTheyDoInDjl() {
        java.util.Random random = new java.util.Random(20);
        for (int i = 0; i < 20; i++) {
            SubnetConfig config = SPACE.sample(random);
            SubnetExporter.Exported exported = exporter.export(supernetId, config, null);
            assertThat(exported.maxLogitDifference()).as(config.canonicalJson()).isLessThanOrEqualTo(1e-4f);
            assertThat(exported.onnxValidationTop1())
                    .as(config.canonicalJson())
                    .isCloseTo(exported.accuracy().validationTop1(), offset(0.001));
            assertThat(exported.accuracy().validationImages()).isEqualTo(100);
        }
    }

    @Test
    void aCataloguedSubnetExportsByItsHash() throws Exception {
        Path file = directory.resolve("smallest.onnx");
        Run run = export(
                "--supernet",
                supernetId.toString(),
                "--subnet",
                SPACE.smallest().sha256(),
                "-o",
                file.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(file).exists();
        // the smallest subnet runs at 20 x 20 but takes the dataset's 28 x 28 images
        try (OrtSession session = OrtEnvironment.getEnvironment()
                .createSession(Files.readAllBytes(file), new OrtSession.SessionOptions())) {
            assertThat(((TensorInfo) session.getInputInfo().get("image").getInfo()).getShape())
                    .containsExactly(-1, 1, 28, 28);
            assertThat(session.getMetadata().getCustomMetadata())
                    .containsEntry("tailor.resolution", "20")
                    .containsEntry("tailor.input_size", "28");
        }
        var subnet = subnets.findBySupernetIdAndConfigSha256(
                        supernetId, SPACE.smallest().sha256())
                .orElseThrow();
        transactions.executeWithoutResult(status -> assertThat(latencies.findAll())
                .filteredOn(m -> m.getSubnet() != null && m.getSubnet().getId().equals(subnet.getId()))
                .filteredOn(m -> m.getDevice().getName().equals("host-cpu"))
                .isNotEmpty()
                .allSatisfy(m -> assertThat(m.getResolution()).isEqualTo(20)));
    }

    @Test
    void badInputIsRefusedWithTheFlagNamedAndNothingStored() {
        long artifactsBefore = artifacts.count();
        String out = directory.resolve("x.onnx").toString();
        SubnetConfig outside = new SubnetConfig(
                28,
                java.util.List.of(2, 2, 2),
                java.util.Collections.nCopies(6, 9),
                java.util.Collections.nCopies(6, 3));
        Map<String[], String> cases = Map.of(
                new String[] {"--supernet", supernetId.toString(), "--config", outside.canonicalJson(), "-o", out},
                "--config",
                new String[] {"--supernet", supernetId.toString(), "--config", "{not json", "-o", out},
                "--config",
                new String[] {
                    "--supernet",
                    UUID.randomUUID().toString(),
                    "--config",
                    SPACE.largest().canonicalJson(),
                    "-o",
                    out
                },
                "--supernet",
                new String[] {"--supernet", "nope", "--subnet", "ab", "-o", out},
                "--supernet",
                new String[] {"--supernet", supernetId.toString(), "--subnet", "0".repeat(64), "-o", out},
                "--subnet",
                new String[] {"--supernet", supernetId.toString(), "-o", out},
                "--config or --subnet",
                new String[] {"--supernet", supernetId.toString(), "--subnet", "ab"},
                "-o");
        cases.forEach((args, flag) -> {
            Run run = export(args);
            assertThat(run.exitCode()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(run.err()).contains(flag).doesNotContain("Exception").doesNotContain("\tat ");
        });
        assertThat(artifacts.count()).isEqualTo(artifactsBefore);
    }

    @Test
    void aCorruptCheckpointIsAClearErrorNotAStackTrace() {
        Artifact garbage = artifacts.save(
                Artifact.of("not a checkpoint".getBytes(StandardCharsets.UTF_8), "application/octet-stream"));
        Supernet broken = supernets.save(new Supernet("broken", SPACE.toJson(), "generated"));
        broken.markReady(garbage.getSha256());
        broken = supernets.saveAndFlush(broken);
        TrainingJob job = jobs.findAll().stream()
                .filter(j -> supernetId.equals(j.getSupernetId()))
                .findFirst()
                .orElseThrow();
        TrainingJob copy = new TrainingJob(job.getSchedule(), job.getDataset(), job.getHyperParameters());
        copy.setSupernetId(broken.getId());
        jobs.saveAndFlush(copy);
        long artifactsBefore = artifacts.count();
        Run run = export(
                "--supernet",
                broken.getId().toString(),
                "--config",
                SPACE.smallest().canonicalJson(),
                "-o",
                directory.resolve("broken.onnx").toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--supernet").contains("checkpoint");
        assertThat(artifacts.count()).isEqualTo(artifactsBefore);
    }
}
