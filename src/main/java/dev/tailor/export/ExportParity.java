package dev.tailor.export;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.tailor.onnx.OnnxExport;
import dev.tailor.supernet.StaticSubnet;
import dev.tailor.training.LabelledImages;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * Whether an exported file computes the subnet it came from: its logits in ONNX Runtime against the DJL
 * static subnet's on the first {@value #PARITY_IMAGES} validation images, and top-1 on them.
 *
 * @param maxDifference largest |ONNX Runtime - DJL| over the logits of the parity images
 */
record ExportParity(float maxDifference, int images, long onnxCorrect, long djlCorrect) {

    /** Largest logit difference between ONNX Runtime and DJL an export may show. */
    static final float LOGIT_TOLERANCE = 1e-4f;
    /** Largest accuracy difference (a fraction: 0.1 points) between ONNX Runtime and DJL. */
    static final double ACCURACY_TOLERANCE = 0.001;
    /** Validation images the file's logits are compared with DJL's on. */
    static final int PARITY_IMAGES = 1_000;

    private static final int BATCH = 250;

    /**
     * Runs the file in ONNX Runtime over the parity images at its input size ({@code asTaken}), beside the
     * DJL static subnet over the same images as training resizes them ({@code asTrained}), so the file's
     * own resize is checked too.
     */
    static ExportParity of(
            byte[] model, StaticSubnet subnet, LabelledImages asTaken, LabelledImages asTrained, NDManager manager) {
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        int images = Math.min(PARITY_IMAGES, asTaken.count());
        float maxDifference = 0;
        long onnxCorrect = 0;
        long djlCorrect = 0;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
                OrtSession session = environment.createSession(model, options)) {
            for (int start = 0; start < images; start += BATCH) {
                int count = Math.min(BATCH, images - start);
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
        return new ExportParity(maxDifference, images, onnxCorrect, djlCorrect);
    }

    /** Refuses a file whose logits or top-1 stray from the subnet's past the tolerances. */
    void requireReproduced() {
        if (maxDifference > LOGIT_TOLERANCE
                || Math.abs(onnxCorrect - djlCorrect) > Math.round(ACCURACY_TOLERANCE * images)) {
            throw new IllegalStateException(String.format(
                    Locale.ROOT,
                    "the exported model does not reproduce the subnet: logits differ by up to %.2e,"
                            + " top-1 on %d validation images %.4f in ONNX Runtime vs %.4f in DJL",
                    maxDifference,
                    images,
                    onnxCorrect / (double) images,
                    djlCorrect / (double) images));
        }
    }

    /** Images {@code start} to {@code start + count}, NCHW. */
    private static float[] slice(LabelledImages images, int start, int count) {
        int perImage = images.channels() * images.resolution() * images.resolution();
        return Arrays.copyOfRange(images.images(), start * perImage, (start + count) * perImage);
    }

    private static long[] shape(LabelledImages images, int count) {
        return new long[] {count, images.channels(), images.resolution(), images.resolution()};
    }
}
