package dev.tailor.jobs;

import dev.tailor.CliFlags;
import dev.tailor.OneShotCommand;
import dev.tailor.StandardOutput;
import dev.tailor.Usage;
import dev.tailor.catalogue.JobState;
import dev.tailor.catalogue.TrainingJob;
import dev.tailor.catalogue.TrainingJobRepository;
import dev.tailor.training.TrainingDevice;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

/**
 * {@code tailor train}: validates everything first, records a job, trains it here with a
 * progress bar, and registers the supernet. Run the same command again after a crash and the
 * unfinished job with the same settings continues from its last checkpoint.
 */
@Component
@Profile("train")
public class TrainCommand extends OneShotCommand {

    private final TrainingJobRunner runner;
    private final TrainingJobRepository jobs;
    private final PrintStream out;
    private final PrintStream err;
    private final Supplier<TrainingDevice.GpuProbe> gpus;
    /** Where to train without {@code --device}: the setting a worker trains by, cpu unless set. */
    private final String configuredDevice;

    @org.springframework.beans.factory.annotation.Autowired
    TrainCommand(
            TrainingJobRunner runner,
            TrainingJobRepository jobs,
            @org.springframework.beans.factory.annotation.Value("${tailor.training.device:cpu}")
                    String configuredDevice) {
        this(runner, jobs, StandardOutput.results(), System.err, TrainingDevice.GpuProbe::ofEngine, configuredDevice);
    }

    TrainCommand(
            TrainingJobRunner runner,
            TrainingJobRepository jobs,
            PrintStream out,
            PrintStream err,
            Supplier<TrainingDevice.GpuProbe> gpus,
            String configuredDevice) {
        this.runner = runner;
        this.jobs = jobs;
        this.out = out;
        this.err = err;
        this.gpus = gpus;
        this.configuredDevice = configuredDevice;
    }

    @Override
    protected int execute(String[] args) {
        Map<String, String> flags;
        try {
            flags = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("tailor train: " + e.getMessage());
            err.print(Usage.TRAIN);
            return 2;
        }
        TrainingJobSpec spec;
        try {
            spec = spec(flags);
        } catch (IllegalArgumentException e) {
            err.println("tailor train: " + e.getMessage());
            return 2;
        }
        TrainingDevice device;
        try {
            device = TrainingDevice.resolve(flags.getOrDefault("device", configuredDevice), gpus);
        } catch (TrainingDevice.Unavailable e) {
            String source =
                    flags.containsKey("device") ? "--device" : "TAILOR_TRAINING_DEVICE (tailor.training.device)";
            err.println("tailor train: " + source + ": " + e.getMessage());
            return 2;
        }
        TrainingJob job = null;
        TrainingJobSpec toPrepare = spec;
        if (flags.containsKey("resume")) {
            try {
                job = resumable(flags.get("resume"));
            } catch (IllegalArgumentException e) {
                err.println("tailor train: " + e.getMessage());
                return 2;
            }
            TrainingJobSpec stored = TrainingJobRunner.spec(job);
            List<String> conflicts = conflicts(job.getId(), stored, spec.withDefaults(), flags);
            if (!conflicts.isEmpty()) {
                conflicts.forEach(conflict -> err.println("tailor train: " + conflict));
                return 2;
            }
            // the settings it was created with (its checkpoint holds them), its data where --dataset says it
            // is now: the dataset's fingerprint tells whether it is the same
            toPrepare = flags.containsKey("dataset") ? stored.withDataset(spec.dataset()) : stored;
        }
        TrainingJobSpec.Prepared prepared;
        try {
            prepared = toPrepare.prepare(System.getenv("TAILOR_DATASET_DIR"));
        } catch (TrainingJobSpec.InvalidSpecException e) {
            for (TrainingJobSpec.FieldProblem problem : e.problems()) {
                err.println("tailor train: --" + flagOf(problem.field()) + ": " + problem.message());
            }
            return 2;
        }
        if (job == null) {
            job = unfinishedLike(prepared);
            if (job != null && !TrainingJobRunner.spec(job).equals(prepared.spec())) {
                TrainingJobSpec stored = TrainingJobRunner.spec(job);
                out.println("note: job " + job.getId() + " was created with "
                        + describe(SpecDifferences.between(stored, prepared.spec())) + ", which "
                        + prepared.options().schedule() + " does not read; it continues with its own settings");
                prepared = new TrainingJobSpec.Prepared(
                        stored, stored.toOptions(), prepared.datasetDirectory(), prepared.data());
            } else if (job == null) {
                TrainingJobSpec.Prepared asked = prepared;
                nearestUnfinished(asked, flags)
                        .ifPresent(near -> out.println("note: unfinished job " + near.getId() + " was created with "
                                + describe(SpecDifferences.between(TrainingJobRunner.spec(near), asked.spec()))
                                + "; this command starts a new job; --resume " + near.getId()
                                + " continues that one"));
            }
        }
        if (job == null) {
            job = runner.create(prepared);
            out.println("job " + job.getId() + ": " + prepared.options().schedule() + " on " + job.getDataset() + ", "
                    + prepared.options().epochs() + " epochs, on " + device);
        } else {
            out.println("job " + job.getId() + ": continuing an unfinished run"
                    + (job.getLastCheckpoint() == null ? " from the start" : " from its last checkpoint") + ", on "
                    + device);
        }
        TrainingJobRunner.Outcome outcome;
        try {
            outcome = runner.run(job.getId(), prepared, new ConsoleProgress(out, System.console() != null), device);
        } catch (TrainingJobRunner.DatasetMismatchException e) {
            err.println("tailor train: --dataset: " + e.getMessage());
            return 2;
        } catch (TrainingJobRunner.JobTakenException e) {
            // a worker took it between the check above and the lock, or --resume named a job a worker trains
            err.println("tailor train: " + e.getMessage() + " (a worker of the service, or another tailor train):"
                    + " follow it with GET /api/v1/training-jobs/" + job.getId() + ", or cancel it there first");
            return 1;
        }
        if (outcome.state() == JobState.RUNNING) {
            err.println("tailor train: job " + job.getId() + " " + outcome.error()
                    + "; the same command continues it from its last checkpoint");
            return 1;
        }
        if (outcome.state() == JobState.CANCELLED) {
            err.println("tailor train: job " + job.getId() + " was cancelled (through the API); its last checkpoint is"
                    + " kept, and the same command starts a new job");
            return 1;
        }
        if (outcome.state() != JobState.SUCCEEDED) {
            err.println("tailor train: job " + job.getId() + " failed: " + outcome.error());
            return 1;
        }
        out.println("supernet " + outcome.supernetId() + " registered");
        outcome.accuracy()
                .forEach((role, accuracy) -> out.printf(
                        Locale.ROOT,
                        "  %-8s %s validation top-1 %.4f, test top-1 %.4f%n",
                        role,
                        accuracy.config().canonicalJson(),
                        accuracy.validationTop1(),
                        accuracy.testTop1()));
        if (outcome.scheduleReport().containsKey("optimalDepth")) {
            Map<String, Object> report = outcome.scheduleReport();
            out.println("  optimal depth: level " + report.get("optimalDepth") + " of " + report.get("depthLevels")
                    + (Boolean.TRUE.equals(report.get("converged"))
                            ? " (converged)"
                            : " (the epoch budget ended before fine-tuning converged)"));
        }
        return 0;
    }

    /** An unfinished job nobody is training now that trains as these settings ask (see {@link #trainsAs}). */
    private TrainingJob unfinishedLike(TrainingJobSpec.Prepared prepared) {
        for (TrainingJob candidate : jobs.findByStateOrderByCreatedAtDesc(JobState.RUNNING)) {
            if (trainsAs(TrainingJobRunner.spec(candidate), prepared)
                    && !runner.isRunningElsewhere(candidate.getId())) {
                return candidate;
            }
        }
        return null;
    }

    /**
     * Whether a job stored with {@code stored} is the run these settings ask for: the same spec, or one
     * that differs only in settings its schedule does not read (deps's warm-up share for a sandwich run,
     * say, whose default changed since the job was created).
     */
    static boolean trainsAs(TrainingJobSpec stored, TrainingJobSpec.Prepared prepared) {
        return stored.equals(prepared.spec())
                || (sameIdentity(stored, prepared.spec()) && stored.toOptions().trainsAs(prepared.options()));
    }

    private static boolean sameIdentity(TrainingJobSpec stored, TrainingJobSpec asked) {
        return Objects.equals(stored.name(), asked.name())
                && Objects.equals(stored.dataset(), asked.dataset())
                && Objects.equals(stored.datasetFormat(), asked.datasetFormat());
    }

    /**
     * The newest unfinished job nobody trains of the same name, dataset and schedule that differs from
     * these settings only in settings not given as flags (a default that changed since it was created).
     */
    private java.util.Optional<TrainingJob> nearestUnfinished(
            TrainingJobSpec.Prepared prepared, Map<String, String> flags) {
        TrainingJobSpec asked = prepared.spec();
        return jobs.findByStateOrderByCreatedAtDesc(JobState.RUNNING).stream()
                .filter(candidate -> {
                    TrainingJobSpec stored = TrainingJobRunner.spec(candidate);
                    return sameIdentity(stored, asked)
                            && Objects.equals(stored.schedule(), asked.schedule())
                            && SpecDifferences.between(stored, asked).keySet().stream()
                                    .noneMatch(field -> flags.containsKey(flagOf(field)));
                })
                .filter(candidate -> !runner.isRunningElsewhere(candidate.getId()))
                .findFirst();
    }

    /** Each flag given whose value is not the one the resumed job was created with, as a message. */
    private static List<String> conflicts(
            UUID jobId, TrainingJobSpec stored, TrainingJobSpec asked, Map<String, String> flags) {
        return SpecDifferences.between(stored, asked).entrySet().stream()
                // moved data is still the same data: its fingerprint is checked before training
                .filter(d -> !d.getKey().equals("dataset") && flags.containsKey(flagOf(d.getKey())))
                .map(d -> {
                    String flag = "--" + flagOf(d.getKey());
                    return flag + ": job " + jobId + " was created with "
                            + show(d.getValue().stored()) + ", not "
                            + show(d.getValue().asked()) + "; --resume continues a job with the settings it was"
                            + " created with: leave " + flag + " out, or leave --resume out to start a new job";
                })
                .toList();
    }

    private static String describe(Map<String, SpecDifferences.Difference> differences) {
        return differences.entrySet().stream()
                .map(d -> "--" + flagOf(d.getKey()) + " " + show(d.getValue().stored()) + " (this command: "
                        + show(d.getValue().asked()) + ")")
                .collect(java.util.stream.Collectors.joining(", "));
    }

    /** A setting's value as a flag takes it; six significant digits of a fraction such as 145/270. */
    private static String show(Object value) {
        if (value == null) {
            return "the default";
        }
        if (value instanceof Double d && Double.isFinite(d)) {
            return new java.math.BigDecimal(d)
                    .round(new java.math.MathContext(6))
                    .stripTrailingZeros()
                    .toPlainString();
        }
        return value.toString();
    }

    private TrainingJob resumable(String id) {
        UUID jobId;
        try {
            jobId = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--resume: '" + id + "' is not a job id (a UUID)");
        }
        TrainingJob job =
                jobs.findById(jobId).orElseThrow(() -> new IllegalArgumentException("--resume: no job " + jobId));
        if (job.isFinished()) {
            throw new IllegalArgumentException("--resume: job " + jobId + " has finished (" + job.getState() + ")");
        }
        return job;
    }

    private static final Map<String, String> FLAGS = new LinkedHashMap<>();

    static {
        FLAGS.put("dataset", "dataset");
        FLAGS.put("format", "datasetFormat");
        FLAGS.put("schedule", "schedule");
        FLAGS.put("epochs", "epochs");
        FLAGS.put("batch-size", "batchSize");
        FLAGS.put("lr", "learningRate");
        FLAGS.put("weight-decay", "weightDecay");
        FLAGS.put("random-erase", "randomErase");
        FLAGS.put("warmup-epochs", "warmupEpochs");
        FLAGS.put("seed", "seed");
        FLAGS.put("validation-size", "validationSize");
        FLAGS.put("warmup-fraction", "warmupFraction");
        FLAGS.put("epsilon-epochs", "epsilonEpochs");
        FLAGS.put("calibration-images", "calibrationImages");
        FLAGS.put("max-steps-per-epoch", "maxStepsPerEpoch");
        FLAGS.put("target-accuracy", "targetAccuracy");
        FLAGS.put("patience", "patience");
        FLAGS.put("name", "name");
        FLAGS.put("resume", "resume");
        // where this process trains, not part of the job: a run may continue on another device
        FLAGS.put("device", "device");
    }

    static String flagOf(String field) {
        return FLAGS.entrySet().stream()
                .filter(e -> e.getValue().equals(field))
                .map(Map.Entry::getKey)
                .findFirst()
                .orElse(field);
    }

    /**
     * The flags' own mistakes (unknown, missing value, given twice, not a number), checked before
     * anything starts: no database, nothing written under the home.
     */
    public static void checkFlags(String[] args) {
        spec(parse(args));
    }

    /** {@code --flag value} and {@code --flag=value}, each flag once; Spring's own options pass through. */
    static Map<String, String> parse(String[] args) {
        return CliFlags.parse(args, FLAGS.keySet(), Set.of());
    }

    static TrainingJobSpec spec(Map<String, String> flags) {
        return new TrainingJobSpec(
                flags.get("name"),
                flags.get("schedule"),
                flags.get("dataset"),
                flags.get("format"),
                number(flags, "epochs", Integer::valueOf),
                number(flags, "batch-size", Integer::valueOf),
                number(flags, "lr", Double::valueOf),
                number(flags, "warmup-epochs", Double::valueOf),
                number(flags, "seed", Long::valueOf),
                number(flags, "validation-size", Integer::valueOf),
                number(flags, "warmup-fraction", Double::valueOf),
                number(flags, "epsilon-epochs", Double::valueOf),
                number(flags, "calibration-images", Integer::valueOf),
                number(flags, "max-steps-per-epoch", Integer::valueOf),
                number(flags, "target-accuracy", Double::valueOf),
                number(flags, "patience", Integer::valueOf),
                number(flags, "weight-decay", Double::valueOf),
                number(flags, "random-erase", Double::valueOf));
    }

    private static <T> T number(Map<String, String> flags, String flag, Function<String, T> parser) {
        String value = flags.get(flag);
        if (value == null) {
            return null;
        }
        try {
            return parser.apply(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + flag + ": '" + value + "' is not a number");
        }
    }
}
