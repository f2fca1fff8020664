package dev.tailor.export;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.tailor.catalogue.Artifact;
import dev.tailor.catalogue.ArtifactRepository;
import dev.tailor.catalogue.Device;
import dev.tailor.catalogue.LatencyMeasurement;
import dev.tailor.catalogue.LatencyMeasurementRepository;
import dev.tailor.catalogue.Split;
import dev.tailor.catalogue.Subnet;
import dev.tailor.catalogue.SubnetRegistry;
import dev.tailor.catalogue.SubnetRepository;
import dev.tailor.catalogue.Supernet;
import dev.tailor.catalogue.SupernetRepository;
import dev.tailor.catalogue.SupernetState;
import dev.tailor.catalogue.TrainingJob;
import dev.tailor.catalogue.TrainingJobRepository;
import dev.tailor.cost.SubnetCosts;
import dev.tailor.data.ImageDataset;
import dev.tailor.jobs.TrainingJobRunner;
import dev.tailor.jobs.TrainingJobSpec;
import dev.tailor.latency.DeviceLatencies;
import dev.tailor.latency.HostDevices;
import dev.tailor.latency.LatencyMeter;
import dev.tailor.latency.LatencyStats;
import dev.tailor.space.SearchSpace;
import dev.tailor.space.SubnetConfig;
import dev.tailor.space.SubnetPlan;
import dev.tailor.supernet.StaticSubnet;
import dev.tailor.training.LabelledImages;
import dev.tailor.training.SubnetAccuracy;
import dev.tailor.training.Trainer;
import dev.tailor.training.TrainingData;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Exports a catalogued supernet's subnet: restores the supernet from its checkpoint, recalibrates
 * BN for the subnet on the run's fixed calibration sample, measures it, writes the ONNX file,
 * and, before anything is stored, runs that file in ONNX Runtime over the whole validation split:
 * its logits must match DJL's and its accuracy the DJL-measured one. The file is stored as an
 * artifact and linked from the subnet's catalogue row with its accuracy, costs and its latency
 * measured on this host ({@code host-cpu}).
 */
@Component
public class SubnetExporter {

    /** Largest logit difference between ONNX Runtime and DJL an export may show. */
    static final float LOGIT_TOLERANCE = 1e-4f;
    /** Largest accuracy difference (a fraction: 0.1 points) between ONNX Runtime and DJL. */
    static final double ACCURACY_TOLERANCE = 0.001;

    private final SupernetRepository supernets;
    private final SubnetRepository subnets;
    private final SubnetRegistry registry;
    private final ArtifactRepository artifacts;
    private final TrainingJobRepository jobs;
    private final TransactionTemplate transactions;
    private final HostDevices hostDevices;
    private final LatencyMeasurementRepository latencies;
    private final DeviceLatencies deviceLatencies;

    SubnetExporter(
            SupernetRepository supernets,
            SubnetRepository subnets,
            SubnetRegistry registry,
            ArtifactRepository artifacts,
            TrainingJobRepository jobs,
            TransactionTemplate transactions,
            HostDevices hostDevices,
            LatencyMeasurementRepository latencies,
            DeviceLatencies deviceLatencies) {
        this.supernets = supernets;
        this.subnets = subnets;
        this.registry = registry;
        this.artifacts = artifacts;
        this.jobs = jobs;
        this.transactions = transactions;
        this.hostDevices = hostDevices;
        this.latencies = latencies;
        this.deviceLatencies = deviceLatencies;
    }

    /** The export is impossible as asked; {@code field} names what the caller must change. */
    public static final class ExportException extends RuntimeException {
        private final String field;

        public ExportException(String field, String message) {
            super(message);
            this.field = field;
        }

        public String field() {
            return field;
        }
    }

    /**
     * What was exported and how it checked out.
     *
     * @param onnxValidationTop1 the ONNX model's own top-1 on the validation split, by ONNX Runtime
     * @param maxLogitDifference largest |ONNX Runtime - DJL| over every validation logit
     * @param hostLatency the file timed on this host ({@code host-cpu}, batch 1, 1 thread)
     */
    public record Exported(
            String sha256,
            byte[] bytes,
            SubnetConfig config,
            SubnetAccuracy accuracy,
            double onnxValidationTop1,
            float maxLogitDifference,
            SubnetCosts costs,
            LatencyStats hostLatency) {}

    /** The config of a catalogued subnet, by the SHA-256 of its config. */
    public SubnetConfig configOf(UUID supernetId, String configSha256) {
        return subnets.findBySupernetIdAndConfigSha256(supernetId, configSha256)
                .map(subnet -> SubnetConfig.parse(subnet.getConfig()))
                .orElseThrow(() -> new ExportException(
                        "subnet", "supernet " + supernetId + " has no catalogued subnet " + configSha256));
    }

    public Exported export(UUID supernetId, SubnetConfig config, String datasetEnvironment) {
        Supernet supernet = supernets
                .findById(supernetId)
                .orElseThrow(() -> new ExportException("supernet", "no supernet " + supernetId));
        if (supernet.getState() != SupernetState.READY || supernet.getCheckpointSha256() == null) {
            throw new ExportException(
                    "supernet",
                    "supernet " + supernetId + " is "
                            + supernet.getState().toString().toLowerCase(java.util.Locale.ROOT)
                            + "; only a ready (trained) supernet can be exported");
        }
        SearchSpace space = SearchSpace.fromJson(supernet.getSpaceSpec());
        List<String> outside = space.violations(config);
        if (!outside.isEmpty()) {
            throw new ExportException("config", "not a subnet of " + space.name() + ": " + String.join("; ", outside));
        }
        TrainingJob job = jobs.findFirstBySupernetIdOrderByCreatedAtDesc(supernetId)
                .orElseThrow(() -> new ExportException(
                        "supernet", "supernet " + supernetId + " has no training job to name its dataset"));
        TrainingJobSpec.Prepared prepared;
        try {
            prepared = TrainingJobRunner.spec(job).prepare(datasetEnvironment);
        } catch (TrainingJobSpec.InvalidSpecException e) {
            throw new ExportException("supernet", "the supernet's training dataset cannot be read: " + e.getMessage());
        }
        byte[] checkpoint = artifacts
                .findById(supernet.getCheckpointSha256())
                .orElseThrow(() -> new ExportException("supernet", "the supernet's checkpoint artifact is missing"))
                .getContent();
        TrainingData data = TrainingData.prepare(
                prepared.datasetName(),
                prepared.data(),
                prepared.options().validationSize(),
                prepared.options().seed());
        Trainer trainer;
        try {
            trainer = Trainer.restore(checkpoint, data);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new ExportException("supernet", "the supernet's checkpoint cannot be used: " + e.getMessage());
        }
        try (trainer;
                NDManager manager = NDManager.newBaseManager()) {
            // evaluate() recalibrates BN for the config and leaves those statistics in place
            SubnetAccuracy accuracy = trainer.evaluate(List.of(config)).get(0);
            SubnetCosts counted =
                    SubnetCosts.of(SubnetPlan.of(space, config, data.train().numClasses()));
            // the file takes images at the dataset's size, as a consumer has them; a non-square
            // dataset keeps the subnet's resolution, for which the consumer resizes
            ImageDataset validation = data.validation();
            int inputSize = validation.height() == validation.width() ? validation.height() : config.resolution();
            try (StaticSubnet subnet = StaticSubnet.extract(trainer.supernet(), config, manager)) {
                byte[] bytes = OnnxExport.builder()
                        .setSubnet(subnet)
                        .setInputSize(inputSize)
                        .setMetadata(new ExportMetadata(
                                supernetId.toString(),
                                config.canonicalJson(),
                                config.sha256(),
                                data.datasetName(),
                                data.normalization().mean(),
                                data.normalization().std(),
                                data.train().classNames(),
                                accuracy.validationTop1(),
                                accuracy.testTop1(),
                                counted.macs()))
                        .build()
                        .toBytes();
                Parity parity = parity(
                        bytes,
                        subnet,
                        trainer.validationImages(inputSize),
                        trainer.validationImages(config.resolution()),
                        manager);
                if (parity.maxDifference() > LOGIT_TOLERANCE
                        || Math.abs(parity.onnxTop1() - accuracy.validationTop1()) > ACCURACY_TOLERANCE) {
                    throw new IllegalStateException(String.format(
                            java.util.Locale.ROOT,
                            "the exported model does not reproduce the subnet: logits differ by up to %.2e,"
                                    + " validation top-1 %.4f in ONNX Runtime vs %.4f in DJL",
                            parity.maxDifference(),
                            parity.onnxTop1(),
                            accuracy.validationTop1()));
                }
                LatencyStats latency = LatencyMeter.builder().build().measure(bytes);
                String sha256 = store(supernet, config, bytes, accuracy, counted, latency);
                deviceLatencies.refreshAll();
                return new Exported(
                        sha256, bytes, config, accuracy, parity.onnxTop1(), parity.maxDifference(), counted, latency);
            }
        }
    }

    private record Parity(float maxDifference, double onnxTop1) {}

    /**
     * Runs the file in ONNX Runtime over the validation images at its input size ({@code asTaken}),
     * beside the DJL static subnet over the same images as training resizes them ({@code
     * asTrained}), so the file's own resize is checked too.
     */
    private static Parity parity(
            byte[] model, StaticSubnet subnet, LabelledImages asTaken, LabelledImages asTrained, NDManager manager) {
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        int batch = 250;
        float maxDifference = 0;
        long correct = 0;
        try (OrtSession session = environment.createSession(model, new OrtSession.SessionOptions())) {
            for (int start = 0; start < asTaken.count(); start += batch) {
                int count = Math.min(batch, asTaken.count() - start);
                float[][] onnx;
                try (OnnxTensor input = OnnxTensor.createTensor(
                                environment, FloatBuffer.wrap(slice(asTaken, start, count)), shape(asTaken, count));
                        OrtSession.Result result = session.run(Map.of(OnnxExport.INPUT, input))) {
                    onnx = (float[][])
                            result.get(OnnxExport.OUTPUT).orElseThrow().getValue();
                }
                try (NDManager scratch = manager.newSubManager()) {
                    NDArray djl = subnet.logits(
                            scratch.create(slice(asTrained, start, count), new Shape(shape(asTrained, count))));
                    float[] expected = djl.toFloatArray();
                    int classes = onnx[0].length;
                    for (int i = 0; i < count; i++) {
                        int best = 0;
                        for (int c = 0; c < classes; c++) {
                            maxDifference = Math.max(maxDifference, Math.abs(onnx[i][c] - expected[i * classes + c]));
                            if (onnx[i][c] > onnx[i][best]) {
                                best = c;
                            }
                        }
                        if (best == asTaken.labels()[start + i]) {
                            correct++;
                        }
                    }
                }
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime refused the exported model: " + e.getMessage(), e);
        }
        return new Parity(maxDifference, asTaken.count() == 0 ? 0 : (double) correct / asTaken.count());
    }

    /** Images {@code start} to {@code start + count}, NCHW. */
    private static float[] slice(LabelledImages images, int start, int count) {
        int perImage = images.channels() * images.resolution() * images.resolution();
        return Arrays.copyOfRange(images.images(), start * perImage, (start + count) * perImage);
    }

    private static long[] shape(LabelledImages images, int count) {
        return new long[] {count, images.channels(), images.resolution(), images.resolution()};
    }

    private String store(
            Supernet supernet,
            SubnetConfig config,
            byte[] bytes,
            SubnetAccuracy accuracy,
            SubnetCosts counted,
            LatencyStats latency) {
        Device host = hostDevices.cpu();
        Artifact artifact = Artifact.of(bytes, OnnxExport.MEDIA_TYPE);
        transactions.executeWithoutResult(status -> {
            if (!artifacts.existsById(artifact.getSha256())) {
                artifacts.save(artifact);
            }
            Subnet subnet = registry.register(
                    supernet.getId(),
                    config,
                    counted,
                    new SubnetRegistry.Measured(
                            Split.VALIDATION, accuracy.validationTop1(), accuracy.validationImages()),
                    new SubnetRegistry.Measured(Split.TEST, accuracy.testTop1(), accuracy.testImages()));
            subnet.setOnnxSha256(artifact.getSha256());
            subnets.save(subnet);
            latencies.save(LatencyMeasurement.ofSubnet(
                    host, subnet, latency.batchSize(), latency.resolution(), latency.timing()));
        });
        return artifact.getSha256();
    }
}
