package org.mmsim.kernel.state;

import org.mmsim.kernel.export.Export;

/**
 * A {@link Copyable} that a {@link Copier} pairs with its copy by a forwarding pointer it carries, rather than by an
 * entry in the copier's identity table.
 *
 * <p>Why: a copier maps each object of the original machine to its copy, and an explorer copies a machine tens of
 * thousands of times a second. Of the seventy-odd lookups and pairings of one copy, some forty are of state objects;
 * through the table each was a hash (an identity hash's first call is a call into the JVM), a probe and, for a pairing,
 * a store into a table allocated for every copy. A forwarding pointer is one load and one compare. It is valid only
 * while its {@link #copiedBy} copier is copying: {@link Copier#finish} clears it, so that an original does not keep its
 * copy alive, and a pointer left by another copier is simply not this one's.
 *
 * <p>A machine is copied by one thread at a time (the explorer's workers each copy machines of their own), so the
 * pointers need no synchronisation; two threads copying one machine at once would overwrite each other's.
 */
@Export
public abstract class StateObject implements Copyable {
    /** The copier that paired this object, while it is copying (null otherwise). */
    Copier copiedBy;
    /** What stands for this object in {@link #copiedBy}'s copy. */
    Object copiedTo;

    /**
     * {@inheritDoc} Declared here so that the copier calls it through the class's own table rather than by an
     * interface lookup.
     */
    @Override
    public abstract Object copy(Copier c);
}
