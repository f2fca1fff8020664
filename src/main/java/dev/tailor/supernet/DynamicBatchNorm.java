package dev.tailor.supernet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Batch normalisation over the leading {@code C} channels of larger statistics (OFA's
 * DynamicBatchNorm2d): training updates only that slice of the running mean and variance.
 */
final class DynamicBatchNorm extends ElasticBlock {

    /** PyTorch's momentum 0.1; DJL counts momentum as the weight of the old value. */
    static final float DJL_MOMENTUM = 0.9f;

    static final float EPSILON = 1e-5f;

    private final Parameter gamma;
    private final Parameter beta;
    private final Parameter runningMean;
    private final Parameter runningVar;
    private final int channels;

    DynamicBatchNorm(int channels) {
        this.channels = channels;
        Shape shape = new Shape(channels);
        gamma = addParameter(Parameter.builder()
                .setName("gamma")
                .setType(Parameter.Type.GAMMA)
                .optShape(shape)
                .build());
        beta = addParameter(Parameter.builder()
                .setName("beta")
                .setType(Parameter.Type.BETA)
                .optShape(shape)
                .build());
        runningMean = addParameter(Parameter.builder()
                .setName("runningMean")
                .setType(Parameter.Type.RUNNING_MEAN)
                .optRequiresGrad(false)
                .optShape(shape)
                .build());
        runningVar = addParameter(Parameter.builder()
                .setName("runningVar")
                .setType(Parameter.Type.RUNNING_VAR)
                .optRequiresGrad(false)
                .optShape(shape)
                .build());
    }

    /**
     * OFA's set_running_statistics: normalise with this batch's own mean and (biased) variance,
     * and add them, weighted by batch size, to the averages that become the running statistics.
     */
    private NDList calibrate(ParameterStore store, NDArray x, int c, boolean training) {
        NDArray mean = Reductions.channelMean(x);
        NDArray var = Reductions.channelMean(x.sub(mean.reshape(1, c, 1, 1)).square());
        long batch = x.getShape().get(0);
        float[] meanValues = mean.toFloatArray();
        float[] varValues = var.toFloatArray();
        if (meanSum == null) {
            meanSum = new double[c];
            varSum = new double[c];
        }
        for (int i = 0; i < c; i++) {
            meanSum[i] += meanValues[i] * (double) batch;
            varSum[i] += varValues[i] * (double) batch;
        }
        samples += batch;
        return BatchNorm.batchNorm(
                x,
                mean,
                var,
                Slices.leading(value(store, gamma, x, training), c, x.getManager()),
                Slices.leading(value(store, beta, x, training), c, x.getManager()),
                1,
                DJL_MOMENTUM,
                EPSILON,
                false);
    }

    int channels() {
        return channels;
    }

    Parameter gamma() {
        return gamma;
    }

    Parameter beta() {
        return beta;
    }

    Parameter runningMean() {
        return runningMean;
    }

    Parameter runningVar() {
        return runningVar;
    }

    /** Sample-weighted sums of batch statistics while the running statistics are re-estimated. */
    private double[] meanSum;

    private double[] varSum;
    private long samples;

    private boolean calibrationStarted;

    void beginCalibration() {
        meanSum = null;
        varSum = null;
        samples = 0;
        calibrationStarted = true;
    }

    /** Writes the averaged statistics into {@code running[:C]} and leaves calibration. */
    void endCalibration() {
        calibrationStarted = false;
        if (meanSum == null) {
            return; // this layer did not run in the calibrated subnet
        }
        int c = meanSum.length;
        float[] mean = new float[c];
        float[] var = new float[c];
        for (int i = 0; i < c; i++) {
            mean[i] = (float) (meanSum[i] / samples);
            var[i] = (float) (varSum[i] / samples);
        }
        NDArray runningMeanArray = runningMean.getArray();
        NDArray runningVarArray = runningVar.getArray();
        // copied in, then freed: made on the parameters' manager, they would live as long as the supernet
        try (NDArray meanValues = runningMeanArray.getManager().create(mean);
                NDArray varValues = runningVarArray.getManager().create(var)) {
            runningMeanArray.set(new ai.djl.ndarray.index.NDIndex(":{}", c), meanValues);
            runningVarArray.set(new ai.djl.ndarray.index.NDIndex(":{}", c), varValues);
        }
        meanSum = null;
        varSum = null;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        int c = (int) x.getShape().get(1);
        if (calibrationStarted) {
            return calibrate(store, x, c, training);
        }
        return BatchNorm.batchNorm(
                x,
                Slices.leading(value(store, runningMean, x, training), c, x.getManager()),
                Slices.leading(value(store, runningVar, x, training), c, x.getManager()),
                Slices.leading(value(store, gamma, x, training), c, x.getManager()),
                Slices.leading(value(store, beta, x, training), c, x.getManager()),
                1,
                DJL_MOMENTUM,
                EPSILON,
                training);
    }
}
