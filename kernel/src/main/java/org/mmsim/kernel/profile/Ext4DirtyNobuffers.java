package org.mmsim.kernel.profile;

import org.mmsim.kernel.export.Export;

/**
 * What ext4's {@code ->writepage}/{@code ->writepages} does with a dirty page that has no buffers (a page someone
 * dirtied without {@code ->page_mkwrite} or {@code ->write_begin}: a device writing through a GUP reference, dirtied
 * on release by {@code set_page_dirty_lock()}).
 */
@Export
public enum Ext4DirtyNobuffers {
    /** Up to 5.17: {@code BUG_ON(!page_has_buffers(page))} in {@code mpage_prepare_extent_to_map()}: an oops. */
    BUG,
    /**
     * 5.18 (cc5095747edf, "ext4: don't BUG if someone dirty pages without asking ext4 first", Ted Ts'o):
     * {@code WARN_ON_ONCE}, clear the dirty bit, skip the page: the data the device wrote is never written back.
     */
    WARN
}
