package dev.tailor;

import java.util.List;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Tailor's on/off settings, checked before any bean reads them (and after logging has started, so that the
 * refusal is Spring's two-line report, not a stack trace). Spring reads such a setting in two ways: a
 * condition on a bean takes only {@code true} as on, a {@code boolean} field also takes {@code yes},
 * {@code on} or {@code 1}; {@code TAILOR_WORKER_ENABLED=yes} started the export worker and not the training
 * scheduler, and the first training run waited in the queue for good. Only {@code true} and {@code false}
 * (in any case) are taken; anything else stops the start with a message naming the setting.
 */
class SwitchSettings implements ApplicationContextInitializer<ConfigurableApplicationContext> {

    /** The verb a process was started as ({@link TailorApplication} sets it). */
    static final String VERB = "tailor.verb";

    /** Each switch with the environment variable an operator sets it by. */
    record Switch(String property, String environmentVariable) {}

    static final List<Switch> SWITCHES = List.of(
            new Switch("tailor.worker.enabled", "TAILOR_WORKER_ENABLED"),
            new Switch("tailor.bootstrap.enabled", "TAILOR_BOOTSTRAP"),
            new Switch("tailor.api.enabled", "TAILOR_API_ENABLED"),
            new Switch("tailor.latency.calibration.auto", "TAILOR_LATENCY_CALIBRATION_AUTO"));

    @Override
    public void initialize(ConfigurableApplicationContext context) {
        check(context.getEnvironment());
    }

    static void check(ConfigurableEnvironment environment) {
        for (Switch setting : SWITCHES) {
            String value = environment.getProperty(setting.property());
            // untrimmed, as a bean's condition compares it: " true" is not on there
            if (value != null && !value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
                throw new InvalidSettingException(
                        setting.property() + " (" + setting.environmentVariable() + ")",
                        "is '" + value + "'; it takes true or false");
            }
        }
        // the worker verb exists to run queued work: one told not to would start healthy and do nothing
        if ("worker".equals(environment.getProperty(VERB))
                && "false".equalsIgnoreCase(environment.getProperty("tailor.worker.enabled", "true"))) {
            throw new InvalidSettingException(
                    "tailor.worker.enabled (TAILOR_WORKER_ENABLED)",
                    "is false, and a worker runs nothing else; leave it unset for `worker` (set it to false on"
                            + " `serve` replicas that should only answer requests)");
        }
    }
}
