package dev.tailor.predictor;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The predictor's byte format, big-endian: magic "TAPR", format version (int), inputs (int),
 * hidden width (int), base accuracy (double), then every weight as a float in
 * {@link MlpWeights#arrays()} order. Nothing in it depends on time or platform, so equal models
 * give equal bytes and a stored model can be compared byte for byte.
 */
final class PredictorBytes {

    static final int FORMAT_VERSION = 1;
    private static final byte[] MAGIC = "TAPR".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADER_BYTES = MAGIC.length + 3 * Integer.BYTES + Double.BYTES;

    private PredictorBytes() {}

    static byte[] write(MlpWeights weights, double baseAccuracy) {
        ByteBuffer buffer = ByteBuffer.allocate(
                Math.toIntExact(HEADER_BYTES + (long) Float.BYTES * parameterCount(weights.inputs, weights.hidden)));
        buffer.put(MAGIC).putInt(FORMAT_VERSION).putInt(weights.inputs).putInt(weights.hidden);
        buffer.putDouble(baseAccuracy);
        for (float[] array : weights.arrays()) {
            for (float value : array) {
                buffer.putFloat(value);
            }
        }
        return buffer.array();
    }

    static AccuracyPredictor read(byte[] bytes) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        try {
            byte[] magic = new byte[MAGIC.length];
            buffer.get(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new IllegalArgumentException("these bytes are not an accuracy predictor (no TAPR header)");
            }
            int version = buffer.getInt();
            if (version != FORMAT_VERSION) {
                throw new IllegalArgumentException("accuracy predictor format version " + version
                        + " is not supported; this Tailor reads version " + FORMAT_VERSION);
            }
            int inputs = buffer.getInt();
            int hidden = buffer.getInt();
            double baseAccuracy = buffer.getDouble();
            // checked before allocating, so a corrupt header cannot ask for gigabytes
            long expected = HEADER_BYTES + (long) Float.BYTES * parameterCount(inputs, hidden);
            if (inputs < 1 || hidden < 1 || bytes.length != expected) {
                throw new IllegalArgumentException("an accuracy predictor with " + inputs + " inputs and " + hidden
                        + " hidden units takes " + expected + " bytes; got " + bytes.length);
            }
            MlpWeights weights = MlpWeights.zeros(inputs, hidden);
            for (float[] array : weights.arrays()) {
                for (int j = 0; j < array.length; j++) {
                    array[j] = buffer.getFloat();
                }
            }
            return new AccuracyPredictor(weights, baseAccuracy);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("accuracy predictor bytes end early, after " + bytes.length);
        }
    }

    private static long parameterCount(int inputs, int hidden) {
        return (long) inputs * hidden + 2L * hidden * hidden + 4L * hidden;
    }
}
