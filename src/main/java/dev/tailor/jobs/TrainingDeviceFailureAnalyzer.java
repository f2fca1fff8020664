package dev.tailor.jobs;

import dev.tailor.training.TrainingDevice;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * A worker started with a training device it cannot use says so in Spring Boot's startup-failure
 * report, in two lines, instead of a bean-creation stack trace.
 */
class TrainingDeviceFailureAnalyzer extends AbstractFailureAnalyzer<TrainingDevice.Unavailable> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, TrainingDevice.Unavailable cause) {
        return new FailureAnalysis(
                "tailor.training.device (TAILOR_TRAINING_DEVICE): " + cause.getMessage(),
                "Start this worker with TAILOR_TRAINING_DEVICE=cpu (the default), or on a host where libtorch"
                        + " sees the GPU.",
                cause);
    }
}
