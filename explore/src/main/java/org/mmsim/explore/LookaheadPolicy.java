package org.mmsim.explore;

/**
 * How far ahead of their turn the workers take the steps of the states they make ({@link Lookahead}), and which
 * states a level keeps as machines: the search's policies, as functions of its counts ({@link BreadthFirst} passes
 * them). Only speed depends on them, never a result: a state whose steps are not recorded is rebuilt when its turn
 * comes, and one not kept is expanded from its record or rebuilt.
 */
final class LookaheadPolicy {
    /**
     * Which model states are kept for their expansion, when {@link Options#keepFrontierStates} asks for it (it is off
     * by default). Most states are expanded from the record of their steps that the worker that made them took ahead
     * ({@link Lookahead}); one without a record is rebuilt when its turn comes by replaying its schedule without the
     * checks its steps passed the first time, from a copy of the machine of its ancestor three steps up that the
     * worker holds ({@link Expander#rebuild}), or of the initial state. Replaying costs less than keeping the state: a
     * kept state survives garbage collections until its level is expanded, and copying it through them costs more
     * than the replay (on explore-100k, depth 12, keeping up to 2,048 states a level halves the rate compared with
     * keeping none). When asked, states {@value #KEEP_DEPTH} or more steps deep are kept, at most
     * {@value #KEEP_LIMIT} per level, and those past the limit get records. Since rebuilds start from an ancestor's
     * machine and records are one array a tree, keeping them no longer pays at any depth: one worker, warm, searches of
     * bench/scenarios/deep-tree.mms (depth 18) ran at 241k-244k states/s with them kept and 282k-290k without, and a
     * depth-41 search of ODP reads against a zap at 112k and 136k (docs/explorer.md, section 6).
     */
    static final int KEEP_DEPTH = 16;
    static final int KEEP_LIMIT = 2048;
    /**
     * Levels a worker looks ahead in a search shaped like a tree while it may not look to the leaves
     * ({@link #depth}): at a level that the calling thread expands alone although there are workers.
     */
    static final int DEEP_LOOKAHEAD = 3;
    /**
     * The depth of a look ahead to the leaves ({@link #depth}): in effect no limit, since the records of one
     * tree stop at {@link Expander#LOOKAHEAD_STATES} states first in all but a search narrower than that; it bounds the
     * worker's recursion.
     */
    static final int FULL_LOOKAHEAD = 256;
    /**
     * The share of the JVM's maximum heap that the records of steps taken ahead may hold before the workers look
     * only {@value #DEEP_LOOKAHEAD} levels ahead again: one in {@value}.
     */
    static final int RECORDS_HEAP_SHARE = 16;
    /**
     * The states a search must have found before it is taken to be shaped like a tree for a look ahead to the leaves:
     * the first levels of any search are a tree, and a search whose states soon have many parents, as
     * bench/scenarios/merge-heavy.mms's do, would have its first trees take the steps of many states under each parent.
     */
    static final int TREE_EVIDENCE = 64;

    private LookaheadPolicy() {
    }

    /**
     * How many levels ahead a worker takes the steps of a new state it makes ({@link Lookahead}). One once the steps
     * taken so far have reached states twice (more than one transition in 16 led to a known state): a state with
     * several parents would have its steps taken under each of them. In a search shaped like a tree (explore-100k and
     * explore-1m, where every interleaving prefix is a state of its own, and searches whose sleep sets leave one way
     * into each state), to the leaves, up to {@link Expander#LOOKAHEAD_STATES} states a tree: a state whose steps
     * are not recorded is rebuilt when its level comes, and a fixed depth rebuilds a whole level every so many,
     * however wide the level it lands on. Only {@value #DEEP_LOOKAHEAD} levels before the search has found
     * {@value #TREE_EVIDENCE} states, at a level the calling thread expands alone while there are workers (which would
     * otherwise take most of the search's steps on that one thread), and once the records held reach a
     * {@value #RECORDS_HEAP_SHARE}th of the heap ({@code recordsLimit}). The search passes the states it has found,
     * the transitions it has taken, whether the level is expanded by the calling thread alone although there are
     * workers, and the bytes its two live levels' records hold.
     */
    static int depth(long states, long transitions, boolean alone, long records, long recordsLimit) {
        if (transitions - states > states >> 4) {
            return 1;
        }
        return states >= TREE_EVIDENCE && !alone && records < recordsLimit ? FULL_LOOKAHEAD : DEEP_LOOKAHEAD;
    }

    /**
     * The most states whose steps one child's tree may take when {@code expanding} states are about to be expanded:
     * {@link Expander#LOOKAHEAD_STATES}, or less under a state budget ({@code maxStates}, {@link Options#maxStates}),
     * so that the steps taken ahead in all, those taken so far ({@code used}: the search's steps taken ahead, or the
     * states found if more, as in a resumed search) and those the trees of every child of the states expanding may
     * take, stay within the budget. Without that bound the trees of a search shaped like a tree record most of it long
     * before it has filed as many states as it may, and a budget of 2,000 states took over a million steps, nearly all
     * of them for states it would never file. Only speed depends on it.
     */
    static int treeStates(long maxStates, long used, int expanding, int modelThreads) {
        int threads = Math.max(1, modelThreads);
        // a tree per child of each state expanding, and up to one step per thread from each state a tree records
        long perTree = (maxStates - used) / ((long) expanding * threads * threads);
        return (int) Math.max(0, Math.min(Expander.LOOKAHEAD_STATES, perTree));
    }

    /**
     * Whether the level being built below level {@code level}, which keeps {@code keptInNext} machines so far, may
     * keep more ({@link #KEEP_DEPTH}, {@link #KEEP_LIMIT}): then the workers carry new children's machines to the
     * merge; once it holds as many as it may, they give the rest records of their steps instead ({@link Lookahead}).
     */
    static boolean mayKeep(boolean keepFrontierStates, int level, int keptInNext) {
        return keepFrontierStates && level + 1 >= KEEP_DEPTH && keptInNext < KEEP_LIMIT;
    }
}
