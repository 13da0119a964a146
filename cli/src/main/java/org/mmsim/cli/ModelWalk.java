package org.mmsim.cli;

import org.mmsim.explore.Model;

/**
 * The model alone, for {@code mmsim bench}: a depth-first walk over every state of a scenario whose states form a tree,
 * with none of a search's work (no visited set, levels, trace, records of steps taken ahead, sleep sets or rebuilds).
 * Each state is reached by one step, fingerprinted, checked for violations and, when final, judged, as the search does;
 * a state is copied only for its second and later children, the fewest copies any exhaustive search of a tree makes,
 * and as branches ({@code Model.branch}), as the search's look ahead copies.
 * What a search adds on top of this is its own cost; what this costs is the model's.
 *
 * <p>A walk keeps no visited set, so on states that are not a tree (two paths meeting) it would walk the shared part
 * once per path: it gives up as soon as it has reached more states than the search found.
 */
final class ModelWalk<S> {
    private final Model<S> model;
    private final long limit;
    private long states;

    private ModelWalk(Model<S> model, long limit) {
        this.model = model;
        this.limit = limit;
    }

    /**
     * Walks {@code model}'s states from its initial state.
     *
     * @param limit the states its search found: the walk gives up past them
     * @return the states reached (the initial one included), or -1 if they are not a tree of at most {@code limit}
     */
    static <S> long walk(Model<S> model, long limit) {
        ModelWalk<S> w = new ModelWalk<>(model, limit);
        w.states = 1;
        return w.from(model.initial()) ? w.states : -1;
    }

    /** Walks the states below {@code s}, which it may use up; false once past the limit. */
    private boolean from(S s) {
        int todo = model.enabled(s);
        while (todo != 0) {
            int t = Integer.numberOfTrailingZeros(todo);
            todo &= todo - 1;
            S child = todo == 0 ? s : model.branch(s); // each walked to its end before the next: a branch
            model.step(child, t);
            model.fingerprint(child);
            model.violations(child);
            if (++states > limit) {
                return false;
            }
            if (model.done(child)) {
                model.holds(child);
            } else if (!from(child)) {
                return false;
            }
        }
        return true;
    }
}
