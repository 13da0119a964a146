package org.mmsim.kernel.check;

import java.util.List;
import java.util.Map;
import org.mmsim.kernel.Kernel;
import org.mmsim.kernel.bug.Violation;
import org.mmsim.kernel.mm.AddressSpace;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.mm.page.PageFrames;
import org.mmsim.kernel.profile.Switch;

/**
 * Stable pages: on a disk that needs them ({@code ext4_stable_pages}), no word of a page changes between
 * {@code folio_start_writeback} and the end of its I/O (the words the bio carries are those at start, which the
 * address space keeps while the I/O is in flight). {@code page_mkwrite} and {@code write_begin} wait
 * ({@code folio_wait_stable}); a device writing through a GUP reference does not.
 */
final class StablePagesInvariant implements Invariant {

    @Override
    public String name() {
        return "stable-pages";
    }

    @Override
    public String doc() {
        return "with ext4_stable_pages, no write reaches a page under writeback";
    }

    @Override
    public List<Violation> check(Kernel kernel) {
        if (!kernel.profile().on(Switch.EXT4_STABLE_PAGES)) {
            return List.of();
        }
        List<Violation> out = null;
        PageFrames frames = kernel.frames();
        for (AddressSpace mapping : kernel.mm().mappings()) {
            for (Map.Entry<Long, long[]> e : mapping.inFlight().entrySet()) {
                int pfn = mapping.pageAt(e.getKey());
                if (pfn < 0) {
                    continue;
                }
                long[] words = e.getValue();
                for (int w = 0; w < Page.PAGE_WORDS; w++) {
                    if (frames.word(pfn, w) != words[w]) {
                        out = Invariants.add(out, new Violation(name(), String.format(
                                "word %d of page %d (pfn %d) of %s changed from "
                                + "%#x to %#x while the page was under writeback", w, e.getKey(), pfn, mapping,
                                words[w], frames.word(pfn, w))));
                        break;
                    }
                }
            }
        }
        return out == null ? List.of() : out;
    }
}
