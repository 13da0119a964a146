package org.mmsim.kernel.state;

import org.mmsim.kernel.export.Export;

/**
 * A {@link Copyable} that a {@link Copier} finds by a hash it carries rather than by its identity hash.
 *
 * <p>Why: a copier maps each object of the original machine to its copy by identity, and an explorer copies machines
 * that a step made a moment before, out of objects that are themselves new. The first {@link
 * System#identityHashCode} of an object is a call into the JVM that installs the hash in its header (tens of
 * nanoseconds), and a copied machine has some twenty such objects: their copy's lookups were the copier's largest
 * cost. A hash fixed at construction costs a field read. Hashes may repeat (a racy counter, read by the workers of a
 * parallel search at once): a repeat only lengthens a probe, and which slot holds a pair changes no copy.
 */
@Export
public abstract class StateObject implements Copyable {
    private static int next;

    /** The hash a {@link Copier} probes by: a counter, spread so that consecutive objects fall far apart. */
    final int copyHash = next++ * 0x9E3779B9;
}
