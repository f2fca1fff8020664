package dev.tailor.jobs;

/** Hears a catalogue build's progress (the CLI's bar); may ask it to stop between subnets. */
public interface CatalogueBuildListener {

    /**
     * @param subnetsPerMinute over this run so far (a resumed build counts from its restart)
     * @param lastTop1 validation top-1 (a fraction) of the subnet just evaluated
     */
    record Progress(
            int done, int total, double subnetsPerMinute, double etaSeconds, String lastConfig, double lastTop1) {

        public double fractionDone() {
            return total == 0 ? 1 : (double) done / total;
        }
    }

    default void onSubnet(Progress progress) {}

    default boolean stopRequested() {
        return false;
    }
}
