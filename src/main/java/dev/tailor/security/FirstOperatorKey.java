package dev.tailor.security;

import java.io.PrintStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/**
 * At start-up of a process that serves the API: adopt the operator key given in the
 * configuration, or, when none is given and no operator key was ever stored, create the first
 * one and print it once. Only its SHA-256 stays; the terminal is the one place it is shown.
 */
@Component
@ConditionalOnProperty(name = "tailor.api.enabled", havingValue = "true")
class FirstOperatorKey implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(FirstOperatorKey.class);

    private final ApiKeys keys;
    private final AccessProperties properties;
    private final PrintStream out;

    @Autowired
    FirstOperatorKey(ApiKeys keys, AccessProperties properties) {
        this(keys, properties, System.out);
    }

    FirstOperatorKey(ApiKeys keys, AccessProperties properties, PrintStream out) {
        this.keys = keys;
        this.properties = properties;
        this.out = out;
    }

    @Override
    public void run(ApplicationArguments arguments) {
        String configured = properties.operatorKey();
        if (configured != null && !configured.isBlank()) {
            // its length and form were checked when the settings were bound (AccessProperties)
            keys.adopt(configured.strip(), "configured-operator", Role.OPERATOR);
            log.info("operator key from tailor.security.operator-key accepted (reads are {})", reads());
            return;
        }
        keys.issueFirstOperatorKey().ifPresentOrElse(this::print, () -> log.info("reads are {}", reads()));
    }

    private void print(IssuedKey first) {
        String line = "=".repeat(78);
        out.println(line);
        out.println(" First operator key (shown this once; only its SHA-256 is stored):");
        out.println();
        out.println("   " + first.key());
        out.println();
        out.println(" Writes (training, catalogue builds, devices, keys) need it:");
        out.println("   curl -H 'Authorization: Bearer " + first.key() + "' ...");
        out.println(" Make more, e.g. a viewer key for CI: POST /api/v1/api-keys, or");
        out.println("   ./tailor keys create --role viewer --name ci");
        out.println(" Reads and specializations are " + reads() + ".");
        out.println(line);
        out.flush();
        log.info(
                "first operator key created: id {}, {}...",
                first.details().id(),
                first.details().prefix());
    }

    private String reads() {
        return properties.reads() == AccessProperties.Reads.OPEN
                ? "open (tailor.security.reads=keyed closes them)"
                : "keyed: they need a viewer key";
    }
}
