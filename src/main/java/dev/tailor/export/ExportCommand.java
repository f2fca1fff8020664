package dev.tailor.export;

import dev.tailor.CliFlags;
import dev.tailor.OneShotCommand;
import dev.tailor.StandardOutput;
import dev.tailor.Usage;
import dev.tailor.space.SubnetConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

/**
 * {@code tailor export --supernet ID (--config JSON | --subnet SHA) -o model.onnx}: exports one
 * subnet of a trained supernet, checks the file in ONNX Runtime, stores it as an artifact and
 * writes it out.
 */
@Component
@Profile("export")
public class ExportCommand extends OneShotCommand {

    private static final Set<String> FLAGS = Set.of("supernet", "config", "subnet", "o", "out");

    private final SubnetExporter exporter;
    private final PrintStream out;
    private final PrintStream err;

    @Autowired
    ExportCommand(SubnetExporter exporter) {
        this(exporter, StandardOutput.results(), System.err);
    }

    ExportCommand(SubnetExporter exporter, PrintStream out, PrintStream err) {
        this.exporter = exporter;
        this.out = out;
        this.err = err;
    }

    /**
     * The flags' mistakes (unknown, missing value, given twice, a supernet id that is no UUID, a config that
     * does not parse, no {@code -o}), checked before anything starts: no database for an export that cannot be.
     */
    public static void checkFlags(String[] args) {
        asked(CliFlags.parse(args, FLAGS, Set.of()));
    }

    /** What the flags ask for: the supernet, the subnet (a config, or a catalogue id to look up) and the file. */
    private record Asked(UUID supernetId, SubnetConfig config, String subnetId, Path target) {}

    private static Asked asked(Map<String, String> parsed) {
        Map<String, String> flags = new LinkedHashMap<>(parsed);
        if (flags.containsKey("o") && flags.containsKey("out")) {
            throw new IllegalArgumentException("-o and --out name the same file: give one");
        }
        if (flags.containsKey("o")) {
            flags.put("out", flags.remove("o"));
        }
        if (!flags.containsKey("supernet")) {
            throw new IllegalArgumentException("--supernet: which supernet to export from (its id)");
        }
        if (flags.containsKey("config") == flags.containsKey("subnet")) {
            throw new IllegalArgumentException("--config or --subnet: give exactly one");
        }
        if (!flags.containsKey("out")) {
            throw new IllegalArgumentException("-o: the file to write");
        }
        UUID supernetId;
        try {
            supernetId = UUID.fromString(flags.get("supernet"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "--supernet: '" + flags.get("supernet") + "' is not a supernet id (a UUID)");
        }
        Path target = Path.of(flags.get("out"));
        if (target.getParent() != null && !Files.isDirectory(target.getParent())) {
            throw new IllegalArgumentException("-o: directory " + target.getParent() + " does not exist");
        }
        SubnetConfig config = null;
        if (flags.containsKey("config")) {
            try {
                config = SubnetConfig.parse(flags.get("config"));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("--config: not a subnet config: " + e.getMessage());
            }
        }
        String subnet = flags.containsKey("subnet") ? flags.get("subnet").toLowerCase(Locale.ROOT) : null;
        return new Asked(supernetId, config, subnet, target);
    }

    @Override
    protected int execute(String[] args) {
        Asked asked;
        try {
            asked = asked(CliFlags.parse(args, FLAGS, Set.of()));
        } catch (IllegalArgumentException e) {
            return usage(e.getMessage());
        }
        UUID supernetId = asked.supernetId();
        Path target = asked.target();
        try {
            SubnetConfig config =
                    asked.config() != null ? asked.config() : exporter.configOf(supernetId, asked.subnetId());
            SubnetExporter.Exported exported = exporter.export(supernetId, config, System.getenv("TAILOR_DATASET_DIR"));
            Files.write(target, exported.bytes());
            out.printf(
                    Locale.ROOT,
                    "wrote %s (%d bytes, sha256 %s)%n  config %s%n  validation top-1 %.4f (ONNX Runtime %.4f),"
                            + " test top-1 %.4f%n  %d MACs, %d parameters; largest logit difference to DJL %.2e%n"
                            + "  host-cpu latency (batch 1, 1 thread, %s): p50 %.3f ms, p90 %.3f ms%n",
                    target,
                    exported.bytes().length,
                    exported.sha256(),
                    config.canonicalJson(),
                    exported.accuracy().validationTop1(),
                    exported.onnxValidationTop1(),
                    exported.accuracy().testTop1(),
                    exported.costs().macs(),
                    exported.costs().params(),
                    exported.maxLogitDifference(),
                    exported.hostLatency().runtimeVersion(),
                    exported.hostLatency().p50Ms(),
                    exported.hostLatency().p90Ms());
            return 0;
        } catch (SubnetExporter.ExportException e) {
            return fail("--" + e.field() + ": " + e.getMessage());
        } catch (IOException e) {
            return fail("-o: cannot write " + target + ": " + e.getMessage());
        }
    }

    private int usage(String problem) {
        err.println("tailor export: " + problem);
        err.print(Usage.EXPORT);
        return 2;
    }

    private int fail(String problem) {
        err.println("tailor export: " + problem);
        return 2;
    }
}
