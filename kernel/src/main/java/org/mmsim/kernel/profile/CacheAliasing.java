package org.mmsim.kernel.profile;

import org.mmsim.kernel.export.Export;

/**
 * Whether mismatched cache attributes for one physical frame break coherency ({@link Switch#CACHE_ALIASING};
 * kernel-mm.md §8.5).
 */
@Export
public enum CacheAliasing {
    /**
     * x86 with PAT on a CPU that does not snoop its own caches, and arm64 ("mismatched memory attributes"): a WC or
     * UC mapping of a frame that is also mapped WB (the kernel's direct map of RAM above all) can read stale lines or
     * lose writes. The {@code cache-alias} invariant checks every frame.
     */
    FORBIDDEN,
    /** x86 CPUs that snoop their own caches ({@code X86_FEATURE_SELFSNOOP}): the mismatch is benign; not checked. */
    SELF_SNOOP
}
