package org.mmsim.kernel.state;

import org.mmsim.kernel.export.Export;

/**
 * A piece of the machine's mutable state that feeds itself to the machine's fingerprint. Each implementation hashes
 * every mutable field it owns, in a fixed order, naming the objects it refers to by their ids (a PFN, an mm, file or
 * inode number, an address), never by Java identity, and says how long each variable-length part is.
 * {@code FingerprintCoverageTest} fails when a class gains a field that its {@code hashInto} does not cover.
 */
@Export
public interface Hashable {

    /** Feed this object's state to {@code h}. */
    void hashInto(StateHasher h);
}
