package org.mmsim.kernel.state;

import org.mmsim.kernel.export.Export;

/**
 * A piece of the machine's mutable state that can copy itself into a copied machine ({@link Copier}). An
 * implementation makes its copy, {@link Copier#pair}s it with itself before it follows any reference that may lead
 * back to it (an mm's VMAs point at the mm), and copies every mutable field; references to other state go through
 * {@link Copier#copy}. {@code CopyCoverageTest} fails when a class gains a field its copy does not carry.
 */
@Export
public interface Copyable {

    /** This object's copy in the machine {@code c} is building. */
    Object copy(Copier c);
}
