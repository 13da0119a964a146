package org.mmsim.explore;

import java.util.List;
import java.util.Map;

/**
 * What the explorer sees of a model: a deterministic transition system whose steps are taken by numbered
 * threads. The explorer knows nothing else about the model (it has never heard of a page table), so the same
 * search serves every scenario.
 *
 * <p>Contract:
 * <ul>
 *   <li>Determinism: the same sequence of {@link #step} calls from {@link #initial} gives the same state, the same
 *       fingerprint and the same footprints, every time.</li>
 *   <li>Layering: the fingerprint includes how many steps each thread has taken, so every path from the initial
 *       state to a given state has the same length. Breadth-first search then meets each state first on a
 *       shortest path, and execution counts can be summed level by level.</li>
 *   <li>Footprints: {@link #step} returns a bit mask of the resources the step read or wrote (the model chooses
 *       what a bit means). Two steps of different threads whose footprints do not intersect must commute: taken
 *       in either order from the same state they reach the same state and neither disables the other.
 *       {@link #EVERYTHING} is always safe.</li>
 * </ul>
 *
 * @param <S> the model's state; the explorer only passes states back to the model
 */
public interface Model<S> {
    /** A footprint that conflicts with every other: the step may depend on anything. */
    long EVERYTHING = -1L;

    /**
     * What this model is, as text that differs between models whose searches differ (a scenario's program and
     * condition, and the kernel profile with its switch values): a checkpoint is resumed only by the model that wrote
     * it. The default, empty, leaves the check to the initial state's fingerprint and the number of threads.
     */
    default String identity() {
        return "";
    }

    /**
     * {@link #identity} in named parts, in order, for a user whose checkpoint belongs to another search: the refusal
     * names the first part that differs, with both values when they are short (a scenario's name, a kernel, a
     * switch's value). The default is the identity as one part.
     */
    default Map<String, String> identityParts() {
        return Map.of("identity", identity());
    }

    /** A fresh initial state, owned by the caller. */
    S initial();

    /** An independent copy of {@code state}; later steps on either must not affect the other. */
    S copy(S state);

    /**
     * A copy of {@code state} that the caller drops, with every copy it makes from it, before {@code state} takes
     * another step: the look ahead's branches, taken depth first ({@code Expander}). Steps on the copy must not affect
     * {@code state}; the model may let {@code state}'s next step write in place what it shares with the copy. By
     * default {@link #copy}.
     */
    default S branch(S state) {
        return copy(state);
    }

    /** How many thread slots there are (at most 30); thread numbers are 0..threads()-1. */
    int threads();

    /** The threads that can take a step in {@code state}, as a bit mask (bit t for thread t). */
    int enabled(S state);

    /**
     * Whether {@code state} is final: every thread has finished. A state with no enabled thread that is not
     * final is a deadlock.
     */
    boolean done(S state);

    /**
     * Take one atomic step of thread {@code thread}, which must be enabled, changing {@code state} in place.
     *
     * @return the step's footprint (see the class comment)
     */
    long step(S state, int thread);

    /**
     * Take again a step that the search took before from an equal state (to rebuild a state it did not keep): the same
     * change to {@code state} as {@link #step}, but the model may skip what only a first visit needs (its checks and
     * footprint), since what they found then was recorded then.
     */
    default void replay(S state, int thread) {
        step(state, thread);
    }

    /** A 64-bit fingerprint of the whole state: equal states give equal fingerprints. */
    long fingerprint(S state);

    /**
     * The safety violations (invariant broken, kernel oops) first seen in {@code state}, each as a stable key
     * such as {@code "isolation: mm 2 read mm 1's data"}; empty if none. The explorer remembers the shortest
     * path to each key.
     */
    List<String> violations(S state);

    /** At a final state: whether the scenario's condition (the bad outcome) holds. */
    boolean holds(S state);
}
