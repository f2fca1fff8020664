package dev.tailor.bench;

/** Sends one scenario's requests from {@code clients} connections for a while and measures them. */
interface LoadDriver {

    LoadResult drive(LoadScenario scenario, int clients, int seconds);

    /** How it loads the service, for the table's note. */
    String description(int clients);
}
