package dev.tailor.training;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.tailor.data.ImageDataset;
import dev.tailor.space.SubnetConfig;
import dev.tailor.supernet.BatchNormCalibration;
import dev.tailor.supernet.Supernet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Measures subnets the way OFA does: recalibrate batch norm on a fixed sample of training images
 * (the same sample for every subnet), then count top-1 hits in inference mode.
 */
final class Evaluator {

    private static final int BATCH = Trainer.CALIBRATION_BATCH;

    private final Supernet supernet;
    private final Device device;
    private final TrainingData data;
    private final int[] calibrationRows;
    private final ImageBatches train;
    private final ImageBatches validation;
    private final ImageBatches test;
    private final Map<Integer, float[]> calibrationImages = new HashMap<>();
    private final Map<Integer, float[]> validationImages = new HashMap<>();
    private final Map<Integer, float[]> testImages = new HashMap<>();

    Evaluator(Supernet supernet, TrainingData data, TrainingOptions options, Device device) {
        this.supernet = supernet;
        this.device = device;
        this.data = data;
        int count = Math.min(options.calibrationImages(), data.train().size());
        int[] all = new int[data.train().size()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        Random random = new Random(options.seed() * 7 + 1);
        for (int i = all.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = all[i];
            all[i] = all[j];
            all[j] = swap;
        }
        this.calibrationRows = Arrays.copyOf(all, count);
        this.train = new ImageBatches(data.train(), data.normalization());
        this.validation = new ImageBatches(data.validation(), data.normalization());
        this.test = new ImageBatches(data.test(), data.normalization());
    }

    List<SubnetAccuracy> evaluate(List<SubnetConfig> configs) {
        List<SubnetAccuracy> results = new ArrayList<>();
        for (SubnetConfig config : configs) {
            recalibrate(config);
            results.add(new SubnetAccuracy(
                    config,
                    top1(validation, config),
                    data.validation().size(),
                    top1(test, config),
                    data.test().size()));
        }
        return results;
    }

    ImageBatches validation() {
        return validation;
    }

    void recalibrate(SubnetConfig config) {
        float[] images = calibrationImages.computeIfAbsent(config.resolution(), this::prepareCalibration);
        int perImage = data.train().channels() * config.resolution() * config.resolution();
        try (NDManager manager = NDManager.newBaseManager(device)) {
            List<NDArray> batches = new ArrayList<>();
            for (int start = 0; start < calibrationRows.length; start += BATCH) {
                int count = Math.min(BATCH, calibrationRows.length - start);
                batches.add(manager.create(
                        Arrays.copyOfRange(images, start * perImage, (start + count) * perImage),
                        new Shape(count, data.train().channels(), config.resolution(), config.resolution())));
            }
            BatchNormCalibration.recalibrate(supernet, config, batches);
        }
    }

    /** The fixed calibration sample at one resolution, prepared once: every subnet reuses it. */
    private float[] prepareCalibration(int resolution) {
        return prepared(train, calibrationRows, resolution);
    }

    /**
     * Rows of a split, normalised and at {@code resolution}, prepared a batch at a time: at the images' own
     * size, 2,000 colour images of 256 x 256 took 1.5 GB of floats before they were resized to 32, past
     * the default heap, at the end of a whole run.
     */
    private float[] prepared(ImageBatches split, int[] rows, int resolution) {
        int perImage = split.data().channels() * resolution * resolution;
        float[] all = new float[Math.multiplyExact(rows.length, perImage)];
        for (int start = 0; start < rows.length; start += BATCH) {
            int[] chunk = Arrays.copyOfRange(rows, start, Math.min(rows.length, start + BATCH));
            try (NDManager manager = NDManager.newBaseManager(device)) {
                float[] part = split.images(manager, split.prepare(chunk, null), resolution)
                        .toFloatArray();
                System.arraycopy(part, 0, all, start * perImage, part.length);
            }
        }
        return all;
    }

    /** The fixed calibration sample at {@code resolution}, normalised, with its labels. */
    LabelledImages calibrationSample(int resolution) {
        float[] images = calibrationImages.computeIfAbsent(resolution, this::prepareCalibration);
        int[] labels = new int[calibrationRows.length];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = data.train().label(calibrationRows[i]);
        }
        return new LabelledImages(images, labels, data.train().channels(), resolution);
    }

    /** The whole validation split at {@code resolution}, normalised, with its labels. */
    LabelledImages validationSample(int resolution) {
        float[] images = validationImages.computeIfAbsent(resolution, r -> allImages(validation, r));
        int[] labels = new int[data.validation().size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = data.validation().label(i);
        }
        return new LabelledImages(images, labels, data.validation().channels(), resolution);
    }

    /** The whole test split at {@code resolution}, normalised, with its labels. */
    LabelledImages testSample(int resolution) {
        float[] images = testImages.computeIfAbsent(resolution, r -> allImages(test, r));
        int[] labels = new int[data.test().size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = data.test().label(i);
        }
        return new LabelledImages(images, labels, data.test().channels(), resolution);
    }

    /** Recalibrates BN for {@code config}, then counts its top-1 on the whole validation split. */
    double calibratedValidationTop1(SubnetConfig config) {
        recalibrate(config);
        return top1(validation, config);
    }

    /** Top-1 accuracy of the active subnet, 0..1. */
    double top1(ImageBatches split, SubnetConfig config) {
        supernet.setActiveSubnet(config);
        ImageDataset dataset = split.data();
        int resolution = config.resolution();
        float[] images = split == validation
                ? validationImages.computeIfAbsent(resolution, r -> allImages(validation, r))
                : null;
        int perImage = dataset.channels() * resolution * resolution;
        long correct = 0;
        for (int start = 0; start < dataset.size(); start += BATCH) {
            int[] rows = new int[Math.min(BATCH, dataset.size() - start)];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = start + i;
            }
            try (NDManager manager = NDManager.newBaseManager(device)) {
                NDArray batch = images != null
                        ? manager.create(
                                Arrays.copyOfRange(images, start * perImage, (start + rows.length) * perImage),
                                new Shape(rows.length, dataset.channels(), resolution, resolution))
                        : split.images(manager, split.prepare(rows, null), resolution);
                ParameterStore store = new ParameterStore(manager, false);
                int[] predicted = supernet.logits(store, batch, false, false)
                        .argMax(1)
                        .toType(ai.djl.ndarray.types.DataType.INT32, false)
                        .toIntArray();
                for (int i = 0; i < rows.length; i++) {
                    if (predicted[i] == dataset.label(rows[i])) {
                        correct++;
                    }
                }
            }
        }
        return dataset.size() == 0 ? 0 : (double) correct / dataset.size();
    }

    /** A whole split at one resolution, normalised and resized once for every subnet evaluated on it. */
    private float[] allImages(ImageBatches split, int resolution) {
        int[] rows = new int[split.data().size()];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = i;
        }
        return prepared(split, rows, resolution);
    }
}
