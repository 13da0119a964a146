package org.mmsim.kernel.trace;

/**
 * Receives, as they happen, the kernel functions the model enters and every change it makes, as data
 * ({@link Change}). {@code mmsim run} and the explorer's counterexamples are rendered from it; nothing is recorded,
 * and no {@link Change} is even built, unless a journal is attached ({@link Tracer#attach}).
 */
public interface Journal {

    /** A modelled kernel function was entered, e.g. {@code "do_wp_page"}. */
    void path(String function);

    /** The model changed something. */
    void change(Change change);
}
