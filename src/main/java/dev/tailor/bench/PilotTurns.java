package dev.tailor.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Lets runs on threads of their own take turns, one at a time, in a ring: {@code bench
 * pilot-check} uses it to time a pilot and a long epoch on two threads, as the schedules' pilots
 * once ran (they now take turns on one thread, which priced the same work more steadily).
 */
final class PilotTurns {

    private final List<Integer> ring = new ArrayList<>();
    private int current;

    PilotTurns(int pilots) {
        for (int i = 0; i < pilots; i++) {
            ring.add(i);
        }
    }

    /** Blocks until it is {@code pilot}'s turn. */
    synchronized void await(int pilot) throws InterruptedException {
        while (ring.isEmpty() || ring.get(current) != pilot) {
            if (!ring.contains(pilot)) {
                throw new IllegalStateException("pilot " + pilot + " has left the ring");
            }
            wait();
        }
    }

    /** Gives the turn to the next pilot in the ring and waits for it to come back. */
    void passAndAwait(int pilot) throws InterruptedException {
        synchronized (this) {
            int at = ring.indexOf(pilot);
            if (at == current && ring.size() > 1) {
                current = (current + 1) % ring.size();
                notifyAll();
            }
        }
        await(pilot);
    }

    /** Takes {@code pilot} out of the ring; the turn goes on to the next, if it was {@code pilot}'s. */
    synchronized void leave(int pilot) {
        int at = ring.indexOf(pilot);
        if (at < 0) {
            return;
        }
        ring.remove(at);
        if (at < current) {
            current--;
        }
        if (current >= ring.size()) {
            current = 0;
        }
        notifyAll();
    }
}
