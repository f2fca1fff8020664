package dev.tailor.jobs;

/** The train verb's flags, for {@code tailor train --help} and for mistakes. */
public final class TrainUsage {

    private TrainUsage() {}

    public static final String TEXT = """
            usage: tailor train [--dataset DIR] [--format auto|idx|cifar10|cifar100|image-folder]
                                [--schedule deps|progressive-shrinking|sandwich|depth-expansion] [--epochs N]
                                [--batch-size N] [--lr X] [--weight-decay X] [--warmup-epochs X] [--seed N]
                                [--validation-size N] [--warmup-fraction X] [--epsilon-epochs X]
                                [--calibration-images N]
                                [--max-steps-per-epoch N] [--target-accuracy X] [--patience N]
                                [--name NAME] [--resume JOB_ID] [--device cpu|gpu|gpu:N]
              --dataset defaults to Fashion-MNIST from TAILOR_DATASET_DIR or /usr/share/datasets/fashion-mnist
              --validation-size defaults to 10 % of the training images, at most 5,000 (held out of training)
              --epochs defaults to 30 (Fashion-MNIST: about 90 minutes on 2 cores), or more for a small dataset:
                enough epochs for 2,400 optimisation steps, at most 100 (8,000 images at batch 128: 800 for
                validation, 43 epochs of 57 steps); a run with --max-steps-per-epoch defaults to 6
              --weight-decay defaults to 5e-4 (L2 on conv and linear weights, none on BN and biases; 0 to 0.1)
              --device defaults to cpu; gpu needs a CUDA build of libtorch 2.7.1 on this host (PYTORCH_LIBRARY_PATH,
                PYTORCH_VERSION=2.7.1, PYTORCH_FLAVOR=cu128) and is refused with what to do where it is absent
              --target-accuracy (a fraction, default 0.9) and --patience (epochs, default 23, as ODN) apply to
                depth-expansion: depth grows while a converged depth stays below the target
            """;
}
