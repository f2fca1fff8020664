package dev.tailor.jobs;

import dev.tailor.CliFlags;
import dev.tailor.OneShotCommand;
import dev.tailor.StandardOutput;
import dev.tailor.Usage;
import dev.tailor.catalogue.JobState;
import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

/**
 * {@code tailor catalogue --supernet ID [--subnets N] [--seed S]}: builds the supernet's catalogue
 * in this process with a progress bar. An unfinished build of the supernet (queued, or cut off by
 * a crash) is continued rather than started again.
 */
@Component
@Profile("catalogue")
public class CatalogueCommand extends OneShotCommand {

    private static final Set<String> FLAGS = Set.of("supernet", "subnets", "seed", "help");

    private final CatalogueBuildQueue queue;
    private final CatalogueBuilds builds;
    private final CatalogueBuildRunner runner;
    private final PrintStream out;
    private final PrintStream err;

    @Autowired
    CatalogueCommand(CatalogueBuildQueue queue, CatalogueBuilds builds, CatalogueBuildRunner runner) {
        this(queue, builds, runner, StandardOutput.results(), System.err);
    }

    CatalogueCommand(
            CatalogueBuildQueue queue,
            CatalogueBuilds builds,
            CatalogueBuildRunner runner,
            PrintStream out,
            PrintStream err) {
        this.queue = queue;
        this.builds = builds;
        this.runner = runner;
        this.out = out;
        this.err = err;
    }

    /** The flags' own mistakes, checked before anything starts (no database). */
    public static void checkFlags(String[] args) {
        Map<String, String> flags = CliFlags.parse(args, FLAGS, Set.of("help"));
        if (!flags.containsKey("help")) {
            supernet(flags);
            CliFlags.integer(flags, "subnets", 1, 1, CatalogueBuildQueue.MAX_SUBNETS);
            CliFlags.integer(flags, "seed", 1, 0, Integer.MAX_VALUE);
        }
    }

    private static UUID supernet(Map<String, String> flags) {
        if (!flags.containsKey("supernet")) {
            throw new IllegalArgumentException("--supernet: which supernet (its id); GET /api/v1/supernets lists them");
        }
        try {
            return UUID.fromString(flags.get("supernet"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "--supernet: '" + flags.get("supernet") + "' is not a supernet id (a UUID)");
        }
    }

    @Override
    protected int execute(String[] args) {
        Map<String, String> flags;
        UUID supernetId;
        int subnets;
        long seed;
        try {
            flags = CliFlags.parse(args, FLAGS, Set.of("help"));
            if (flags.containsKey("help")) {
                out.print(Usage.CATALOGUE);
                return 0;
            }
            supernetId = supernet(flags);
            subnets = CliFlags.integer(flags, "subnets", queue.defaultSubnets(), 1, CatalogueBuildQueue.MAX_SUBNETS);
            seed = CliFlags.integer(flags, "seed", 1, 0, Integer.MAX_VALUE);
        } catch (IllegalArgumentException e) {
            err.println("tailor catalogue: " + e.getMessage());
            err.print(Usage.CATALOGUE);
            return 2;
        }
        CatalogueBuilds.Build build;
        try {
            build = builds.unfinished(supernetId).orElse(null);
            if (build == null) {
                build = queue.create(supernetId, subnets, seed);
                out.println("catalogue build " + build.id() + ": " + build.subnets() + " subnets of supernet "
                        + supernetId);
            } else {
                out.println("catalogue build " + build.id() + ": continuing an unfinished build (" + build.done()
                        + " of " + build.subnets() + " subnets done)");
                if (flags.containsKey("subnets") && subnets != build.subnets()) {
                    out.println("--subnets " + subnets + " not applied: a supernet has one build at a time, and the"
                            + " unfinished one was asked for " + build.subnets() + " subnets");
                }
                if (flags.containsKey("seed") && seed != build.seed()) {
                    out.println("--seed " + seed + " not applied: the unfinished build samples its subnets with seed "
                            + build.seed());
                }
            }
        } catch (TrainedSupernets.UnusableSupernetException | IllegalArgumentException e) {
            err.println("tailor catalogue: --supernet: " + e.getMessage());
            return 2;
        }
        CatalogueBuildRunner.Outcome outcome;
        try {
            outcome =
                    runner.run(build.id(), System.getenv("TAILOR_DATASET_DIR"), new Bar(out, System.console() != null));
        } catch (IllegalStateException e) {
            err.println("tailor catalogue: " + e.getMessage());
            return 1;
        }
        if (outcome.state() == JobState.RUNNING) {
            err.println("tailor catalogue: build " + build.id() + " " + outcome.error()
                    + "; the same command continues it from the first subnet not yet stored");
            return 1;
        }
        if (outcome.state() == JobState.CANCELLED) {
            err.println("tailor catalogue: build " + build.id() + " was cancelled (through the API) after "
                    + outcome.done() + " of " + outcome.total() + " subnets; they stay in the catalogue");
            return 1;
        }
        if (outcome.state() != JobState.SUCCEEDED) {
            err.println("tailor catalogue: build " + build.id() + " failed: " + outcome.error());
            return 1;
        }
        out.printf(Locale.ROOT, "%ncatalogue of supernet %s: %d subnets evaluated%n", supernetId, outcome.done());
        return 0;
    }

    /** The terminal progress bar: redrawn in place on a console, a line per tenth otherwise. */
    private static final class Bar implements CatalogueBuildListener {
        private final PrintStream out;
        private final boolean interactive;
        private long lastDecile = -1;

        Bar(PrintStream out, boolean interactive) {
            this.out = out;
            this.interactive = interactive;
        }

        @Override
        public void onSubnet(Progress p) {
            int filled = (int) Math.round(p.fractionDone() * 30);
            String line = String.format(
                    Locale.ROOT,
                    "[%s] %3.0f%% %d/%d subnets %5.1f/min ETA %s last top-1 %.4f",
                    "#".repeat(filled) + ".".repeat(30 - filled),
                    p.fractionDone() * 100,
                    p.done(),
                    p.total(),
                    p.subnetsPerMinute(),
                    ConsoleProgress.duration(p.etaSeconds()),
                    p.lastTop1());
            if (interactive) {
                out.print("\r" + line);
                out.flush();
            } else if ((long) Math.floor(p.fractionDone() * 10) != lastDecile) {
                lastDecile = (long) Math.floor(p.fractionDone() * 10);
                out.println(line);
            }
        }
    }
}
