package dev.tailor.bench;

/**
 * Training work that runs a few steps when its turn comes and says how long they took, so that several
 * kinds of step can take turns within seconds of each other (this machine's speed shifts by a fifth for
 * tens of seconds at a time; rates measured a minute apart do not compare).
 */
interface StepTurns extends AutoCloseable {

    /** Runs {@code steps} more steps and returns the seconds they took. */
    double run(int steps);

    @Override
    void close();
}
