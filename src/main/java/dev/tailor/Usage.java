package dev.tailor;

/**
 * What {@code tailor VERB --help} prints for each verb, before anything starts; the verbs print
 * the same text after a mistake.
 */
public final class Usage {

    private Usage() {}

    public static final String SERVE = """
            usage: tailor [serve] [--server.port=N] [--tailor.home=DIR] [--spring.datasource.url=JDBC_URL]
              the REST API (Swagger UI at /swagger-ui.html), the background worker (training, catalogue builds,
              exports) and, without a database URL, an embedded PostgreSQL under $TAILOR_HOME (default ./data);
              on a fresh home it prints the first operator key once and queues a quick supernet (trained here
              unless TAILOR_WORKER_ENABLED=false, then by a worker).
              Settings are environment variables too: PORT, TAILOR_HOME, SPRING_DATASOURCE_URL,
              TAILOR_WORKER_ENABLED=false (API replicas: queue jobs, run none), TAILOR_TRAINING_DEVICE
              (cpu, gpu or gpu:N); the README's Configuration section lists them all.
            """;

    public static final String WORKER = """
            usage: tailor worker [--tailor.home=DIR] [--spring.datasource.url=JDBC_URL]
              the background worker alone (training, catalogue builds, exports, shared with every other worker
              through the database's job queue) with the health endpoints for probes and no REST API.
              TAILOR_TRAINING_DEVICE (cpu, gpu or gpu:N) names where it trains; the README's Configuration
              section lists the other settings.
            """;

    public static final String TRAIN = """
            usage: tailor train [--dataset DIR] [--format auto|idx|cifar10|cifar100|image-folder]
                                [--schedule deps|progressive-shrinking|sandwich|depth-expansion] [--epochs N]
                                [--batch-size N] [--lr X] [--weight-decay X] [--random-erase X]
                                [--warmup-epochs X] [--seed N] [--validation-size N]
                                [--warmup-fraction X] [--epsilon-epochs X] [--calibration-images N]
                                [--max-steps-per-epoch N] [--target-accuracy X] [--patience N]
                                [--name NAME] [--resume JOB_ID] [--device cpu|gpu|gpu:N]
              --dataset defaults to Fashion-MNIST from TAILOR_DATASET_DIR or /usr/share/datasets/fashion-mnist
              --validation-size defaults to 10 % of the training images, at most 5,000 (held out of training)
              --epochs defaults to 40 (Fashion-MNIST: about 80-90 minutes on 2 cores), or more for a small dataset:
                enough epochs for 2,400 optimisation steps, at most 100 (8,000 images at batch 128: 800 for
                validation, 43 epochs of 56 steps); a run with --max-steps-per-epoch defaults to 6
              --weight-decay defaults to 5e-4 (L2 on conv and linear weights, none on BN and biases; 0 to 0.1)
              --random-erase defaults to 0: the share of training images (0 to 1) with one random rectangle
                of 2-33 % of the area replaced by noise (DεpS's recipe: 0.2)
              --device defaults to TAILOR_TRAINING_DEVICE, else cpu; gpu (or gpu:N) needs a CUDA build of
                libtorch 2.7.1 on this host (PYTORCH_LIBRARY_PATH, PYTORCH_VERSION=2.7.1, PYTORCH_FLAVOR=cu128)
                and is refused with what to do where it is absent
              --target-accuracy (a fraction, default 0.9) and --patience (epochs, default 23, as ODN) apply to
                depth-expansion: depth grows while a converged depth stays below the target
                        """;

    public static final String CATALOGUE = """
            usage: tailor catalogue --supernet ID [--subnets N] [--seed S]
              --supernet  the trained supernet whose subnets to evaluate (its id)
              --subnets   how many subnets (default 500): the largest, the smallest, each resolution's
                          extremes, the rest stratified over MACs
              --seed      the sample's seed (default 1)
            An unfinished build of the same supernet is continued where it stopped.
                        """;

    public static final String SPECIALIZE = """
            usage: tailor specialize [--device D] (--latency-ms X | --macs N | --params N | --memory-bytes N
                                     | --min-accuracy F)... [--objective accuracy|latency] [--supernet ID] -o FILE.onnx
              --device        device the latency budget is for (default host-cpu)
              --latency-ms    largest batch-1 latency on the device, ms
              --macs, --params, --memory-bytes   largest MACs, parameters, peak activation bytes
              --min-accuracy  lowest predicted validation top-1, a fraction (0.9 = 90 %)
              --objective     accuracy (default): most accurate within the budget; latency: fastest reaching
                              --min-accuracy
              --supernet      supernet id (default: the newest ready one whose catalogue can answer, else the
                              newest ready one)
                        """;

    public static final String EXPORT = """
            usage: tailor export --supernet ID (--config JSON | --subnet CONFIG_SHA256) (-o | --out) FILE.onnx
              --config  a subnet config, e.g. '{"resolution":28,"depths":[2,2,2],"kernels":[3,3,3,3,3,3],"expands":[3,3,3,3,3,3]}'
              --subnet  the SHA-256 of a config already in the supernet's catalogue
                        """;

    public static final String AGENT = """
            usage: tailor agent --server URL --device NAME [--token TOKEN] [--once] [--max-tasks N] [--poll-seconds N]
              --token    an agent key bound to the device (an operator issues one: POST /api/v1/devices/NAME/agent-token
                         or ./tailor keys create --role agent --device NAME --name NAME); better in the
                         environment as TAILOR_AGENT_KEY, where other users of the machine cannot read it
              --once     stop when the server has no task left instead of polling
                        """;

    public static final String BENCH = """
            usage: tailor bench [training|schedules|pilot-check|latency|search|load|all] [--dataset DIR] [--out DIR]
                                [--steps N]
                                [--cpu-hours X] [--schedules LIST] [--state DIR] [--max-steps-per-epoch N]
                                [--batch-size N] [--seed N] [--turns N] [--same-thread]
                                [--fit-subnets N] [--held-out-subnets N] [--runs N] [--rounds N]
                                [--turn-steps N]
              training   images/s and GFLOP/s of supernet steps next to libtorch matmul, a static network and
                         the PyTorch peer (--peer FILE, default ../shared/bench/torch_peer.py, run by python3
                         when it has torch), --rounds 5 rounds of --steps 20 full-model steps, sandwich steps
                         and peer steps taking turns of --turn-steps 2 steps (the ratio is the median of the
                         rounds' ratios), and a profile of a full-model and a sandwich step
              schedules  deps, progressive-shrinking and sandwich at equal compute: --cpu-hours X of training
                         each (default 1; epochs and steps per epoch from each schedule's measured step
                         costs), the validation probes after every epoch, test at the end, an SVG;
                         --schedules deps,sandwich runs some of them; resumable: state in --state DIR
                         (default $TAILOR_HOME/bench-schedules/...), run the same command again to continue;
                         --seed N (default 1) seeds every schedule's training and BN-recalibration sample
                         (the validation split and the probes stay the same; results in schedules-seedN.*)
              pilot-check
                         whether the schedules' pilot prices a step as a long epoch pays for it: a pilot
                         (8-step epochs) and a long epoch (--max-steps-per-epoch N, default the
                         whole training set) of one schedule (--schedules sandwich) take turns every 8 steps
                         for --turns 35 turns each (at most 39), on two threads (as the schedules' pilots ran
                         before 2026-12-06; they take turns on one thread now),
                         or with --same-thread on one; CPU s per step of both, and the drift window by window;
                         not part of "all"
              search     on the newest trained supernet (or --supernet ID) with its catalogue: predictor error,
                         500-generation search time, host-cpu specializations cold and warm for 8 budgets;
                         not part of "all"
              latency    the host-cpu latency model (layer table + correction) on held-out subnets
                         (--fit-subnets 60, --held-out-subnets 120, --runs 200), smallest and largest subnet;
                         the service stores the model it scores and serves it
              load       drives a running service (--server URL, default http://localhost:8080; --key KEY
                         when reads are keyed): cached specializations (--budget JSON), catalogue listings
                         and artifact downloads, --clients 64 for --seconds 60 each after --warm-up 15
                         seconds (a freshly started service needs about 2 minutes of load to reach its
                         steady rate: give a fresh one --warm-up 120), driven by wrk
                         (--driver wrk, the default: apt-get install wrk) or by Java threads (--driver java);
                         not part of "all"
                        """;

    public static final String KEYS = """
            usage: tailor keys create --role viewer|operator|agent --name NAME [--device DEVICE]
                   tailor keys list
                   tailor keys revoke ID
              --role    viewer: reads and specializations; operator: also training, catalogue builds,
                        devices and keys; agent: one device's measurement tasks and measurements
              --name    what the key is for, e.g. ci-pipeline (letters, digits, '.', '_', '-')
              --device  for an agent key: the device it is bound to
            The key is printed once; only its SHA-256 is stored.
                        """;
}
