package dev.tailor.jobs;

/** The train verb's flags, for {@code tailor train --help} and for mistakes. */
public final class TrainUsage {

    private TrainUsage() {}

    public static final String TEXT = """
            usage: tailor train [--dataset DIR] [--format auto|idx|cifar10|cifar100|image-folder]
                                [--schedule deps|progressive-shrinking|sandwich|depth-expansion] [--epochs N]
                                [--batch-size N] [--lr X] [--warmup-epochs X] [--seed N] [--validation-size N]
                                [--warmup-fraction X] [--epsilon-epochs N] [--calibration-images N]
                                [--max-steps-per-epoch N] [--target-accuracy X] [--patience N]
                                [--name NAME] [--resume JOB_ID]
              --dataset defaults to Fashion-MNIST from TAILOR_DATASET_DIR or /usr/share/datasets/fashion-mnist
              --target-accuracy (a fraction, default 0.9) and --patience (epochs, default 23, as ODN) apply to
                depth-expansion: depth grows while a converged depth stays below the target
            """;
}
