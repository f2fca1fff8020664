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
import dev.tailor.cost.SubnetCosts;
import dev.tailor.data.ImageDataset;
import dev.tailor.jobs.TrainedSupernets;
import dev.tailor.latency.DeviceLatencies;
import dev.tailor.latency.HostDevices;
import dev.tailor.latency.HostQuiet;
import dev.tailor.latency.LatencyMeter;
import dev.tailor.latency.LatencyStats;
import dev.tailor.onnx.ExportMetadata;
import dev.tailor.onnx.OnnxEvaluation;
import dev.tailor.onnx.OnnxExport;
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
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Exports a catalogued supernet's subnet: restores the supernet from its checkpoint, recalibrates
 * BN for the subnet on the run's fixed calibration sample, writes the ONNX file and measures the
 * file itself in ONNX Runtime on the whole validation and test splits. Before anything is stored,
 * the file's logits on {@value #PARITY_IMAGES} validation images must match the DJL static
 * subnet's, and so must its top-1 there. The file is stored as an artifact and linked from the
 * subnet's catalogue row with its accuracy, costs and its latency measured on this host ({@code
 * host-cpu}).
 */
@Component
public class SubnetExporter {

    private static final Logger log = LoggerFactory.getLogger(SubnetExporter.class);

    /** Largest logit difference between ONNX Runtime and DJL an export may show. */
    static final float LOGIT_TOLERANCE = 1e-4f;
    /** Largest accuracy difference (a fraction: 0.1 points) between ONNX Runtime and DJL. */
    static final double ACCURACY_TOLERANCE = 0.001;
    /** Validation images the file's logits are compared with DJL's on. */
    static final int PARITY_IMAGES = 1_000;
    /**
     * Timed runs of the file on this host: 200 (p50 of them), as the host's latency model is timed,
     * since this VM's noise moves a p50 of 50 sub-millisecond runs by several per cent.
     */
    static final int TIMED_RUNS = 200;
    /** Images per ONNX Runtime batch when a file's accuracy is measured. */
    private static final int MEASURE_BATCH = 500;

    private final SupernetRepository supernets;
    private final SubnetRepository subnets;
    private final SubnetRegistry registry;
    private final ArtifactRepository artifacts;
    private final TrainedSupernets trained;
    private final TransactionTemplate transactions;
    private final HostDevices hostDevices;
    private final LatencyMeasurementRepository latencies;
    private final DeviceLatencies deviceLatencies;
    private final HostQuiet quiet;

    SubnetExporter(
            SupernetRepository supernets,
            SubnetRepository subnets,
            SubnetRegistry registry,
            ArtifactRepository artifacts,
            TrainedSupernets trained,
            TransactionTemplate transactions,
            HostDevices hostDevices,
            LatencyMeasurementRepository latencies,
            DeviceLatencies deviceLatencies,
            HostQuiet quiet) {
        this.supernets = supernets;
        this.subnets = subnets;
        this.registry = registry;
        this.artifacts = artifacts;
        this.trained = trained;
        this.transactions = transactions;
        this.hostDevices = hostDevices;
        this.latencies = latencies;
        this.deviceLatencies = deviceLatencies;
        this.quiet = quiet;
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
     * @param maxLogitDifference largest |ONNX Runtime - DJL| over the logits of the parity images
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
        long started = System.nanoTime();
        try (TrainedSupernets.Restored restored = restore(supernetId, datasetEnvironment);
                NDManager manager = NDManager.newBaseManager()) {
            long restoredAt = System.nanoTime();
            Trainer trainer = restored.trainer();
            TrainingData data = restored.data();
            SubnetCosts counted =
                    SubnetCosts.of(SubnetPlan.of(space, config, data.train().numClasses()));
            // the file takes images at the dataset's size, as a consumer has them; a non-square
            // dataset keeps the subnet's resolution, for which the consumer resizes
            ImageDataset validation = data.validation();
            int inputSize = validation.height() == validation.width() ? validation.height() : config.resolution();
            try (StaticSubnet extracted = StaticSubnet.extract(trainer.supernet(), config, manager);
                    StaticSubnet subnet = OnnxEvaluation.recalibrated(
                            extracted, trainer.calibrationImages(config.resolution()), Trainer.CALIBRATION_BATCH)) {
                // accuracy is stamped into the file's metadata, so the file is measured first without it
                byte[] unstamped = onnx(subnet, supernetId, config, data, inputSize, null, counted);
                SubnetAccuracy accuracy = new SubnetAccuracy(
                        config,
                        OnnxEvaluation.top1(unstamped, trainer.validationImages(inputSize), MEASURE_BATCH),
                        validation.size(),
                        OnnxEvaluation.top1(unstamped, trainer.testImages(inputSize), MEASURE_BATCH),
                        data.test().size());
                byte[] bytes = onnx(subnet, supernetId, config, data, inputSize, accuracy, counted);
                long measuredAt = System.nanoTime();
                Parity parity = parity(
                        bytes,
                        subnet,
                        trainer.validationImages(inputSize),
                        trainer.validationImages(config.resolution()),
                        manager);
                long parityAt = System.nanoTime();
                if (parity.maxDifference() > LOGIT_TOLERANCE
                        || Math.abs(parity.onnxCorrect() - parity.djlCorrect())
                                > Math.round(ACCURACY_TOLERANCE * parity.images())) {
                    throw new IllegalStateException(String.format(
                            java.util.Locale.ROOT,
                            "the exported model does not reproduce the subnet: logits differ by up to %.2e,"
                                    + " top-1 on %d validation images %.4f in ONNX Runtime vs %.4f in DJL",
                            parity.maxDifference(),
                            parity.images(),
                            parity.onnxCorrect() / (double) parity.images(),
                            parity.djlCorrect() / (double) parity.images()));
                }
                // alone on this process's cores: a catalogue build beside it would slow the timing
                LatencyStats latency = quiet.timing(() ->
                        LatencyMeter.builder().optTimedRuns(TIMED_RUNS).build().measure(bytes));
                long timedAt = System.nanoTime();
                Subnet stored = store(restored.supernet(), config, bytes, accuracy, counted, latency);
                // a searched pick is often new to the catalogue: it gets every device's latency now
                deviceLatencies.refreshSubnets(Set.of(stored.getId()));
                log.info(
                        "Exported {} of supernet {} in {} ms: restore {}, calibrate and measure {}, parity {},"
                                + " timing {}, store {}",
                        config.canonicalJson(),
                        supernetId,
                        millis(started, System.nanoTime()),
                        millis(started, restoredAt),
                        millis(restoredAt, measuredAt),
                        millis(measuredAt, parityAt),
                        millis(parityAt, timedAt),
                        millis(timedAt, System.nanoTime()));
                return new Exported(
                        stored.getOnnxSha256(),
                        bytes,
                        config,
                        accuracy,
                        accuracy.validationTop1(),
                        parity.maxDifference(),
                        counted,
                        latency);
            }
        }
    }

    private TrainedSupernets.Restored restore(UUID supernetId, String datasetEnvironment) {
        try {
            return trained.restore(supernetId, datasetEnvironment);
        } catch (TrainedSupernets.UnusableSupernetException e) {
            throw new ExportException("supernet", e.getMessage());
        }
    }

    private static byte[] onnx(
            StaticSubnet subnet,
            UUID supernetId,
            SubnetConfig config,
            TrainingData data,
            int inputSize,
            SubnetAccuracy accuracy,
            SubnetCosts counted) {
        return OnnxExport.builder()
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
                        accuracy == null ? null : accuracy.validationTop1(),
                        accuracy == null ? null : accuracy.testTop1(),
                        counted.macs()))
                .build()
                .toBytes();
    }

    private record Parity(float maxDifference, int images, long onnxCorrect, long djlCorrect) {}

    private static long millis(long from, long to) {
        return (to - from) / 1_000_000;
    }

    /**
     * Runs the file in ONNX Runtime over the first {@value #PARITY_IMAGES} validation images at its
     * input size ({@code asTaken}), beside the DJL static subnet over the same images as training
     * resizes them ({@code asTrained}), so the file's own resize is checked too.
     */
    private static Parity parity(
            byte[] model, StaticSubnet subnet, LabelledImages asTaken, LabelledImages asTrained, NDManager manager) {
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        int images = Math.min(PARITY_IMAGES, asTaken.count());
        int batch = 250;
        float maxDifference = 0;
        long onnxCorrect = 0;
        long djlCorrect = 0;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
                OrtSession session = environment.createSession(model, options)) {
            for (int start = 0; start < images; start += batch) {
                int count = Math.min(batch, images - start);
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
                        int onnxBest = 0;
                        int djlBest = 0;
                        for (int c = 0; c < classes; c++) {
                            maxDifference = Math.max(maxDifference, Math.abs(onnx[i][c] - expected[i * classes + c]));
                            if (onnx[i][c] > onnx[i][onnxBest]) {
                                onnxBest = c;
                            }
                            if (expected[i * classes + c] > expected[i * classes + djlBest]) {
                                djlBest = c;
                            }
                        }
                        int label = asTaken.labels()[start + i];
                        onnxCorrect += onnxBest == label ? 1 : 0;
                        djlCorrect += djlBest == label ? 1 : 0;
                    }
                }
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime refused the exported model: " + e.getMessage(), e);
        }
        return new Parity(maxDifference, images, onnxCorrect, djlCorrect);
    }

    /** Images {@code start} to {@code start + count}, NCHW. */
    private static float[] slice(LabelledImages images, int start, int count) {
        int perImage = images.channels() * images.resolution() * images.resolution();
        return Arrays.copyOfRange(images.images(), start * perImage, (start + count) * perImage);
    }

    private static long[] shape(LabelledImages images, int count) {
        return new long[] {count, images.channels(), images.resolution(), images.resolution()};
    }

    private Subnet store(
            Supernet supernet,
            SubnetConfig config,
            byte[] bytes,
            SubnetAccuracy accuracy,
            SubnetCosts counted,
            LatencyStats latency) {
        Device host = hostDevices.cpu();
        Artifact artifact = Artifact.of(bytes, OnnxExport.MEDIA_TYPE);
        return transactions.execute(status -> {
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
            return subnet;
        });
    }
}
