package dev.tailor.training;

/**
 * Where a run is, for a progress bar or a server-sent event.
 *
 * @param epoch the current epoch, from 0
 * @param loss the largest subnet's mean training loss so far in this epoch
 * @param epsilon DεpS's gradient scale of the small subnets at this step (1 where a schedule has none)
 * @param device where the run trains: cpu, gpu or gpu:N
 */
public record TrainingProgress(
        int epoch,
        int epochs,
        int step,
        int stepsPerEpoch,
        long globalStep,
        long totalSteps,
        String phase,
        double loss,
        double learningRate,
        double epsilon,
        double imagesPerSecond,
        double etaSeconds,
        String device) {

    public double fractionDone() {
        return totalSteps == 0 ? 1 : (double) globalStep / totalSteps;
    }
}
