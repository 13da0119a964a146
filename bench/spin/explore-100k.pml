/*
 * A Promela analogue of scenarios/bench/explore-100k.mms, for comparing mmsim's explorer with SPIN on the same
 * state space (see bench/README.md). Three threads each store to four pages of their own. As in mmsim, each store
 * allocates the next free frame for its page and stamps the page with the next tick of a global event clock, so no
 * two orders of the same stores meet again: every prefix of every interleaving is a distinct state, exactly
 * 110,251 of them. The scheduler is written as one process that picks which thread stores next, as mmsim's
 * explorer picks a thread: each store is one atomic step, and there are no process start or exit steps to count.
 *
 * Generate with data-flow optimisations off (-o1 -o2 -o3), or SPIN drops the frame and stamp arrays, which nothing
 * reads, from the state, and finds only the 125 positions of the three threads.
 */
byte clock;
byte nextFrame;
byte frame[12];
byte stamp[12];
byte done[3];

inline store(t) {
    d_step {
        done[t] < 4 ->
        nextFrame++;
        frame[4 * t + done[t]] = nextFrame;
        clock++;
        stamp[4 * t + done[t]] = clock;
        done[t]++
    }
}

init {
end:
    do
    :: store(0)
    :: store(1)
    :: store(2)
    od
}
