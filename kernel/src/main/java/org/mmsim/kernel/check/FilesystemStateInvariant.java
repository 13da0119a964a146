package org.mmsim.kernel.check;

import java.util.List;
import java.util.Map;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.bug.Violation;
import org.mmsim.kernel.mm.AddressSpace;
import org.mmsim.kernel.mm.page.PageFlags;
import org.mmsim.kernel.mm.page.PageFrames;

/**
 * Filesystem state: a dirty page of a file with a disk (ext4) has buffers (PG_private). ext4 dirties a page only
 * through {@code write_begin}/{@code page_mkwrite}, which attach buffers first; a page dirtied behind its back (a
 * device's write dirtied on release, {@code set_page_dirty_lock}, after reclaim stripped the buffers) is the state
 * ext4's writeback BUG_ON (≤5.17) or WARN (5.18+) catches.
 */
final class FilesystemStateInvariant implements Invariant {

    @Override
    public String name() {
        return "filesystem-state";
    }

    @Override
    public String doc() {
        return "a dirty page of an ext4 file has buffers (PG_private)";
    }

    @Override
    public List<Violation> check(Kernel kernel) {
        List<Violation> out = null;
        PageFrames frames = kernel.frames();
        List<AddressSpace> mappings = kernel.mm().mappings();
        for (int i = 0; i < mappings.size(); i++) {
            AddressSpace mapping = mappings.get(i);
            if (mapping.evicted() || !mapping.canWriteback()) {
                continue;
            }
            for (Map.Entry<Long, Integer> e : mapping.pages().entrySet()) {
                int pfn = e.getValue();
                if (frames.test(pfn, PageFlags.PG_DIRTY) && !frames.test(pfn, PageFlags.PG_PRIVATE)) {
                    out = Invariants.add(out, new Violation(name(), String.format(
                            "page %d (pfn %d) of %s is dirty without buffers",
                            e.getKey(), pfn, mapping)));
                }
            }
        }
        return out == null ? List.of() : out;
    }
}
