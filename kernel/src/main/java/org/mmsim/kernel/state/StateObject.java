package org.mmsim.kernel.state;

import org.mmsim.kernel.export.Export;

/**
 * A {@link Copyable} that a {@link Copier} finds by a hash it carries rather than by its identity hash.
 *
 * <p>Why: a copier maps each object of the original machine to its copy by identity, and an explorer copies machines
 * that a step made a moment before, out of objects that are themselves copies. The first {@link
 * System#identityHashCode} of an object is a call into the JVM that installs the hash in its header (tens of
 * nanoseconds), and a copied machine has some twenty such objects: their lookups were the copier's largest cost. So a
 * copy inherits its original's hash when the copier pairs them, and only an object the kernel made afresh takes an
 * identity hash, once. Two objects of one machine then have equal hashes only if their identity hashes are equal but
 * for the lowest bit, which only lengthens a probe: which slot holds a pair changes no copy. No hash is shared between
 * threads: the workers of a parallel search write none but their own copies' (and, once, the same identity hash into an
 * object they both copy).
 */
@Export
public abstract class StateObject implements Copyable {
    /** The hash a {@link Copier} probes by; 0 until first asked for. */
    private int copyHash;

    /** This object's probe hash: its original's if it is a copy, else its identity hash, never 0. */
    final int copyHash() {
        int h = copyHash;
        if (h == 0) {
            h = System.identityHashCode(this) | 1;
            copyHash = h;
        }
        return h;
    }

    /** A copy takes its original's hash (when the {@link Copier} pairs them). */
    final void inheritCopyHash(StateObject original) {
        copyHash = original.copyHash();
    }
}
