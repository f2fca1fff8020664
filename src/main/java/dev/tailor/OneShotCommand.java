package dev.tailor;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.ExitCodeGenerator;

/**
 * A verb that does its work once and exits with a status (train, catalogue, export, specialize,
 * bench): Spring runs it after start-up and exits with what {@link #execute} returned.
 */
public abstract class OneShotCommand implements ApplicationRunner, ExitCodeGenerator {

    private int exitCode;

    @Override
    public final int getExitCode() {
        return exitCode;
    }

    @Override
    public final void run(ApplicationArguments arguments) {
        exitCode = execute(arguments.getSourceArgs());
    }

    /** Runs the verb on its arguments; 0 when it worked, 2 for a mistake in them, 1 when the work failed. */
    protected abstract int execute(String[] args);
}
