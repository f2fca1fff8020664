package dev.tailor.specialize;

import dev.tailor.CliFlags;
import dev.tailor.OneShotCommand;
import dev.tailor.StandardOutput;
import dev.tailor.Usage;
import dev.tailor.catalogue.ArtifactRepository;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Profile;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponseException;

/**
 * {@code tailor specialize --device D --latency-ms X [...] -o model.onnx}: the same answer as
 * POST /api/v1/specializations, against the local catalogue, written to a file.
 */
@Component
@Profile("specialize")
public class SpecializeCommand extends OneShotCommand {

    /** Request field -> flag, so that a refusal names what the user typed. */
    private static final Map<String, String> FLAG_OF = Map.of(
            "latencyMs", "--latency-ms",
            "memoryBytes", "--memory-bytes",
            "minAccuracy", "--min-accuracy");

    private static final Set<String> FLAGS = Set.of(
            "device",
            "latency-ms",
            "macs",
            "params",
            "memory-bytes",
            "min-accuracy",
            "objective",
            "supernet",
            "o",
            "help");

    private final Specializer specializer;
    private final ArtifactRepository artifacts;
    private final PrintStream out;
    private final PrintStream err;

    @Autowired
    SpecializeCommand(Specializer specializer, ArtifactRepository artifacts) {
        this(specializer, artifacts, StandardOutput.results(), System.err);
    }

    SpecializeCommand(Specializer specializer, ArtifactRepository artifacts, PrintStream out, PrintStream err) {
        this.specializer = specializer;
        this.artifacts = artifacts;
        this.out = out;
        this.err = err;
    }

    /**
     * The flags' mistakes (unknown, missing value, given twice, a value that is no number, no {@code -o}),
     * checked before anything starts: no database is started for a request that cannot be asked.
     */
    public static void checkFlags(String[] args) {
        Map<String, String> flags = CliFlags.parse(args, FLAGS, Set.of("help"));
        if (!flags.containsKey("help")) {
            asked(flags);
        }
    }

    /** What the flags ask for, and where the model goes. */
    private record Asked(SpecializationRequest request, Path target) {}

    private static Asked asked(Map<String, String> flags) {
        if (!flags.containsKey("o")) {
            throw new IllegalArgumentException("-o: the file to write the ONNX model to");
        }
        Path target = Path.of(flags.get("o"));
        if (target.getParent() != null && !Files.isDirectory(target.getParent())) {
            throw new IllegalArgumentException("-o: directory " + target.getParent() + " does not exist");
        }
        SpecializationRequest request = new SpecializationRequest(
                flags.get("device"),
                number(flags, "latency-ms", Double::valueOf),
                number(flags, "macs", Long::valueOf),
                number(flags, "params", Long::valueOf),
                number(flags, "memory-bytes", Long::valueOf),
                number(flags, "min-accuracy", Double::valueOf),
                flags.get("objective"),
                number(flags, "supernet", UUID::fromString));
        return new Asked(request, target);
    }

    @Override
    protected int execute(String[] args) {
        SpecializationRequest request;
        Path target;
        try {
            Map<String, String> flags = CliFlags.parse(args, FLAGS, Set.of("help"));
            if (flags.containsKey("help")) {
                out.print(Usage.SPECIALIZE);
                return 0;
            }
            Asked asked = asked(flags);
            request = asked.request();
            target = asked.target();
        } catch (IllegalArgumentException e) {
            err.println("tailor specialize: " + e.getMessage());
            err.print(Usage.SPECIALIZE);
            return 2;
        }
        try {
            SpecializationResponse r = specializer.specialize(request).response();
            byte[] bytes =
                    artifacts.findById(r.artifact().sha256()).orElseThrow().getContent();
            Files.write(target, bytes);
            out.printf(
                    Locale.ROOT,
                    "wrote %s (%d bytes, sha256 %s)%n  config %s%n  accuracy: predicted %.4f, validation %.4f,"
                            + " test %.4f%n  %s%n  %d MACs, %d parameters, %d bytes peak activations;"
                            + " binding: %s%n  search: %d generations, %d candidates scored, %d ms%n",
                    target,
                    bytes.length,
                    r.artifact().sha256(),
                    r.config(),
                    r.accuracy().predicted(),
                    r.accuracy().validation(),
                    r.accuracy().test(),
                    r.latency() == null
                            ? "no latency source for " + r.device()
                            : String.format(
                                            Locale.ROOT,
                                            "latency on %s: %.3f ms (%s)",
                                            r.device(),
                                            r.latency().ms(),
                                            r.latency().source())
                                    + (Boolean.TRUE.equals(r.latency().timedInSlowEpisode())
                                            ? " in a slow episode of the host that outlasted the wait (its usual"
                                                    + " speed reads less; a worker times it again)"
                                            : "")
                                    + (r.latency().retimed() == null
                                            ? ""
                                            : String.format(
                                                    Locale.ROOT,
                                                    " timed again at %s: at export, in a slow episode of the host,"
                                                            + " it read %.3f ms",
                                                    r.latency().retimed().at(),
                                                    r.latency().retimed().msAtExport()))
                                    + speedCheck(r.latency().speedCheck())
                                    + nearPick(r.latency().expectedError())
                                    + hostVariation(r.latency().expectedError()),
                    r.macs(),
                    r.params(),
                    r.peakActivationBytes(),
                    r.bindingConstraint(),
                    r.search().generations(),
                    r.search().candidatesScored(),
                    r.search().searchMillis());
            return 0;
        } catch (ErrorResponseException e) {
            ProblemDetail problem = e.getBody();
            err.println("tailor specialize: " + flagged(problem));
            return e.getStatusCode().value() == 503 ? 1 : 2;
        } catch (IOException e) {
            err.println("tailor specialize: -o: cannot write " + target + ": " + e.getMessage());
            return 2;
        }
    }

    private static String flagged(ProblemDetail problem) {
        Object errors =
                problem.getProperties() == null ? null : problem.getProperties().get("errors");
        String detail = problem.getDetail();
        if (errors instanceof List<?> list
                && !list.isEmpty()
                && list.get(0) instanceof dev.tailor.api.Problems.FieldError f) {
            return FLAG_OF.getOrDefault(f.field(), "--" + f.field()) + ": " + f.message();
        }
        return detail;
    }

    private static <T> T number(Map<String, String> flags, String name, Function<String, T> parse) {
        String text = flags.get(name);
        if (text == null) {
            return null;
        }
        try {
            return parse.apply(text.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--" + name + ": '" + text + "' is not a valid value");
        }
    }

    private static String nearPick(SpecializationResponse.ExpectedError error) {
        SpecializationResponse.NearPick near = error == null ? null : error.nearPick();
        if (near == null) {
            return "";
        }
        return String.format(
                Locale.ROOT,
                "; the latency model's error on the %d held-out subnets it predicts nearest (%.3f-%.3f ms): %.1f %%"
                        + " on average (they ran %+.1f %% against it), at most %.1f %%",
                near.heldOutSubnets(),
                near.fromMs(),
                near.toMs(),
                near.mapePercent(),
                near.biasPercent(),
                near.worstPercent());
    }

    private static String hostVariation(SpecializationResponse.ExpectedError error) {
        SpecializationResponse.HostVariation host = error == null ? null : error.hostVariation();
        if (host == null) {
            return "";
        }
        if (host.percent() == null) {
            return String.format(
                    Locale.ROOT,
                    "; how far the host's speed moves is not known yet (%d timing%s of its reference subnets"
                            + " kept, 5 needed)",
                    host.timings(),
                    host.timings() == 1 ? "" : "s");
        }
        return String.format(
                        Locale.ROOT,
                        "; the host's speed moved by %.1f %% over %d timings in %d min, so a later timing of the file"
                                + " may differ from this one by up to about %.1f %%%s",
                        host.percent(),
                        host.timings(),
                        host.minutes(),
                        host.withModelPercent() == null ? host.percent() : host.withModelPercent(),
                        host.withModelPercent() == null ? "" : " with the latency model's error")
                + (host.slowEpisodeFactor() == null
                        ? ""
                        : String.format(
                                Locale.ROOT,
                                ", or up to %.2fx in a slow episode of the host (%d of %d timings)",
                                host.slowEpisodeFactor(),
                                host.slowEpisodes(),
                                host.timings() + host.slowEpisodes()));
    }

    private static String speedCheck(SpecializationResponse.SpeedCheck check) {
        return check == null
                ? ""
                : String.format(
                                Locale.ROOT,
                                "; the host ran at %.3fx its latency model just before the search (%s)",
                                check.measuredOverPredicted(),
                                check.applied()
                                        ? "the search used the model scaled by it"
                                        : "within +-" + Math.round(100 * check.tolerance()) + " %, not scaled")
                        + (check.slowEpisodeRatio() == null
                                ? ""
                                : String.format(
                                        Locale.ROOT,
                                        ", its usual speed over the last hour: the check read %.3fx, a slow"
                                                + " episode",
                                        check.slowEpisodeRatio()));
    }
}
