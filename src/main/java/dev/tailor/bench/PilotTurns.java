package dev.tailor.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Lets the pilot runs of several schedules take turns, one at a time, in a ring. This machine's
 * speed drifts (the same step measured 0.76 and 1.21 CPU s an hour apart), so pilots run one after
 * the other price the same work apart; taking turns an epoch at a time spreads the drift over all.
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
