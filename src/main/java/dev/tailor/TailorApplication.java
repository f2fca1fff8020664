package dev.tailor;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * One jar, every role. The first argument names the verb; anything after it (and any argument
 * at all when the first one is an option) goes to Spring Boot as usual.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class TailorApplication {

    /** How long a service's stop may take before it exits anyway. */
    static final Duration STOP_LIMIT = Duration.ofSeconds(25);

    public static void main(String[] args) {
        // a one-shot verb's log lines stay on standard error until the process ends: a background thread's
        // last lines (the embedded database's, say) must not follow the result on standard output
        StandardOutput.keepRedirectedUntilExit();
        // the verbs run libtorch and ONNX Runtime on this thread: give it the stack they need
        int exit = NativeStacks.call("main-native", () -> run(args, System.out, System.err));
        if (ProcessShutdown.signalled()) {
            // stopped by SIGTERM or Ctrl-C: the status says so, whichever of main and the handler exits first
            System.exit(ProcessShutdown.STOPPED_BY_SIGNAL);
        }
        if (exit != 0) {
            System.exit(exit);
        }
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length > 0 && isHelp(args[0])) {
            out.print(Verb.usage());
            return 0;
        }
        String name = args.length == 0 || args[0].startsWith("-") ? Verb.SERVE.cliName() : args[0];
        Optional<Verb> verb = Verb.byName(name);
        if (verb.isEmpty()) {
            err.printf("tailor: unknown verb '%s'%n%n%s", name, Verb.usage());
            return 2;
        }
        String[] rest = args.length > 0 && !args[0].startsWith("-") ? Arrays.copyOfRange(args, 1, args.length) : args;
        if (Arrays.stream(rest).anyMatch(arg -> arg.equals("--help") || arg.equals("-h"))) {
            // before anything starts: no database, no engine, nothing written under the home
            out.print(verb.get().help());
            return 0;
        }
        if (verb.get() == Verb.AGENT) {
            // an agent runs on the target device: no database, no Spring context, only ONNX Runtime;
            // a stop lets the batch being timed end and be posted first
            CountDownLatch ended = new CountDownLatch(1);
            ProcessShutdown.onSignals(() -> awaitQuietly(ended), STOP_LIMIT);
            try {
                return dev.tailor.agent.DeviceAgent.main(rest, out, err);
            } finally {
                ended.countDown();
            }
        }
        try {
            verb.get().checkFlags(rest);
        } catch (IllegalArgumentException mistake) {
            // said at once, before a database starts (on a fresh home that would take seconds and create it)
            err.println("tailor " + verb.get().cliName() + ": " + mistake.getMessage());
            err.print(verb.get().help());
            return 2;
        }
        SpringApplication application = new SpringApplication(TailorApplication.class);
        application.setAdditionalProfiles(verb.get().profile());
        application.setDefaultProperties(Map.of(SwitchSettings.VERB, verb.get().cliName()));
        if (verb.get().oneShot()) {
            // Ctrl-C or SIGTERM: the work stops at its next step boundary (training, a catalogue subnet),
            // says how to continue, and the context closes, before the JVM's hooks close ONNX Runtime
            CountDownLatch ended = new CountDownLatch(1);
            ProcessShutdown.onSignals(() -> awaitQuietly(ended), STOP_LIMIT);
            try (StandardOutput.Redirect logs = StandardOutput.logsToStandardError()) {
                ConfigurableApplicationContext context = start(application, rest);
                return context == null ? 1 : SpringApplication.exit(context);
            } finally {
                ended.countDown();
            }
        }
        ConfigurableApplicationContext context = start(application, rest);
        if (context == null) {
            return 1;
        }
        // inside the 30 s Kubernetes gives a pod between SIGTERM and SIGKILL
        ProcessShutdown.onSignals(context, STOP_LIMIT);
        return 0;
    }

    /**
     * The started context, or null when it failed to start: Spring has then reported why (a failure
     * analysis where there is one, such as a training device this worker cannot use), and a second
     * report, the launcher's stack trace, would bury it.
     */
    private static ConfigurableApplicationContext start(SpringApplication application, String[] args) {
        try {
            return application.run(args);
        } catch (RuntimeException reported) {
            return null;
        }
    }

    private static void awaitQuietly(CountDownLatch ended) {
        try {
            ended.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean isHelp(String arg) {
        return switch (arg.toLowerCase(Locale.ROOT)) {
            case "help", "-h", "--help" -> true;
            default -> false;
        };
    }
}
