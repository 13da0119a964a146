package org.mmsim.kernel.mm.vmscan;

import java.util.ArrayList;
import java.util.List;
import org.mmsim.kernel.locking.Acquire;
import org.mmsim.kernel.mm.AddressSpace;
import org.mmsim.kernel.mm.MmCore;
import org.mmsim.kernel.mm.VmFlags;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.mm.filemap.Filemap;
import org.mmsim.kernel.mm.memory.Zap;
import org.mmsim.kernel.mm.memory.ZapWalk;
import org.mmsim.kernel.mm.notifier.MmuNotifierEvent;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.mm.page.PageFlags;
import org.mmsim.kernel.mm.page.PageFrames;
import org.mmsim.kernel.mm.pgtable.Pte;
import org.mmsim.kernel.mm.rmap.Rmap;
import org.mmsim.kernel.profile.Switch;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.trace.Change;

/**
 * Reclaim of page-cache pages as a call with points: {@code shrink_folio_list()} (mm/vmscan.c) on the pages given at
 * entry (one page for the {@code reclaim} operation, or every page of a file); for {@code drop_caches}, every cached
 * page of every file through {@code invalidate_mapping_pages()} (mm/truncate.c), which skips a page anyone else
 * holds (mapped, GUP-referenced: {@code mapping_evict_folio}'s refcount test) instead of unmapping it.
 *
 * <pre>
 *   PAGE:   (a point before each page) the page left the cache: next. folio_isolate_lru (a reference, PG_lru
 *           clear); folio_trylock: held by another: putback, next. Under writeback: putback, next. A dirty page
 *           goes on to be unmapped, and is kept at FREE (the model starts no pageout)
 *   UNMAP:  try_to_unmap → try_to_unmap_one through the file rmap, one pte per step under that mm's pte lock
 *           inside an MMU_NOTIFY_CLEAR range (a dirty pte dirties the folio)      ← a point after each pte;
 *           a pte in a VM_LOCKED VMA ends the walk (walk_abort: "If the folio is in an mlock()d vma, we must not
 *           swap it out"), the ptes zapped before it staying zapped, and the page is kept as still mapped
 *   FREE:   dirty now (a pte was): putback, next. Maybe DMA-pinned (refcount >= GUP_PIN_COUNTING_BIAS) with
 *           reclaim_skip_pinned (6.4, d824ec2a1546): putback, next, buffers kept. filemap_release_folio → try_to_free_buffers (PG_private clear,
 *           its reference dropped); __remove_mapping: refcount != cache + isolation (a GUP reference, a pipe
 *           buffer, a pte that came back): refused, putback, next; else the page leaves the cache, PG_locked
 *           clear, the isolation reference goes and the cache's with it: the frame is free, and the next access
 *           reads the disk
 * </pre>
 *
 * Putback is {@code folio_putback_lru}: PG_lru again, the isolation reference dropped, the lock released.
 *
 * <p>Not modelled at VM_LOCKED: {@code mlock_vma_folio} (PG_mlocked, the unevictable LRU), and the 6.x kernel's
 * MMU_NOTIFY_CLEAR range that brackets {@code try_to_unmap_one}'s walk before the check: the model tells secondary
 * MMUs nothing for a pte it does not zap.
 */
public final class ReclaimCall extends KernelCall<Void> {
    private static final int PAGE = 0;
    private static final int UNMAP = 1;
    private static final int FREE = 2;

    private final MmCore core;
    private final Filemap filemap;
    private final Zap zap;
    /** The pages to reclaim, as (mapping, index) at entry. */
    private final List<AddressSpace> mappings;
    private final long[] indices;
    private int pi = -1;
    private int pfn = -1;
    private List<Vma> ptes = new ArrayList<>();
    private List<Long> pteAddrs = new ArrayList<>();
    private int reclaimed;
    /** {@code invalidate_mapping_pages()} rather than reclaim (see the constructor). */
    private final boolean invalidate;

    /**
     * {@code shrink_folio_list} of the pages at {@code indices} of {@code mappings}; with {@code invalidate},
     * {@code invalidate_mapping_pages()} (drop_caches) instead: {@code mapping_evict_folio} leaves a page alone whose
     * refcount says someone else holds it (a pte that maps it, a GUP reference) before it touches its buffers, and
     * unmaps nothing.
     */
    public ReclaimCall(MmCore core, Filemap filemap, Zap zap, List<AddressSpace> mappings, long[] indices, String name,
            boolean invalidate) {
        super(core.trace(), core.footprint(), name);
        this.invalidate = invalidate;
        this.core = core;
        this.filemap = filemap;
        this.zap = zap;
        this.mappings = List.copyOf(mappings);
        this.indices = indices.clone();
    }

    @Override
    public Acquire blockedOn() {
        return pc == UNMAP && !ptes.isEmpty() ? ptes.get(0).mm().ptl().acquire().blocked() : null;
    }

    @Override
    protected void advance() {
        switch (pc) {
            case PAGE -> page();
            case UNMAP -> unmapOne();
            case FREE -> free();
            default -> throw new IllegalStateException("reclaim at " + pc);
        }
    }

    private PageFrames frames() {
        return core.frames();
    }

    /** Isolate and lock the next page, or return. */
    private void page() {
        if (pi < 0) {
            trace.path("shrink_folio_list");
        }
        while (++pi < indices.length) {
            AddressSpace mapping = mappings.get(pi);
            int p = mapping.pageAt(indices[pi]);
            if (p < 0 || !frames().test(p, PageFlags.PG_LRU)) {
                continue;
            }
            if (frames().test(p, PageFlags.PG_LOCKED)) {
                trace.path("folio_trylock failed");
                continue;
            }
            // under writeback: kept (folio_check_dirty_writeback, then the writeback cases); dirty: only
            // invalidation refuses it here (mapping_evict_folio), reclaim unmaps it first and keeps it after
            if (frames().test(p, PageFlags.PG_WRITEBACK) || invalidate && frames().test(p, PageFlags.PG_DIRTY)) {
                trace.path("keep_locked");
                continue;
            }
            // mapping_evict_folio: "The refcount will be elevated if any page in the folio is mapped"
            if (invalidate && frames().refcount(p) > 1 + (frames().test(p, PageFlags.PG_PRIVATE) ? 1 : 0)) {
                trace.path("mapping_evict_folio: in use");
                continue;
            }
            pfn = p;
            core.alloc().getPage(pfn);
            frames().clear(pfn, PageFlags.PG_LRU);
            frames().set(pfn, PageFlags.PG_LOCKED);
            ptes = new ArrayList<>();
            pteAddrs = new ArrayList<>();
            for (Rmap.Mapping m : filemap.rmapWalkFile(pfn)) {
                ptes.add(m.vma());
                pteAddrs.add(m.address());
            }
            if (ptes.isEmpty()) {
                free();
                return;
            }
            trace.path("try_to_unmap");
            if (!ptes.get(0).mm().ptl().acquire().available()) {
                // a zap stopped between two ptes holds that pte lock: try_to_unmap_one waits for it (blockedOn)
                at(UNMAP, "try_to_unmap(pfn %d) waits for the pte lock of mm %d", pfn, ptes.get(0).mm().id());
                return;
            }
            unmapOne();
            return;
        }
        pfn = -1;
        finish(reclaimed);
    }

    /**
     * {@code try_to_unmap_one()} on the first pte left, under its mm's pte lock, inside MMU_NOTIFY_CLEAR; a pte in a
     * VM_LOCKED VMA is left mapped and ends the walk ({@code walk_abort}).
     */
    private void unmapOne() {
        Vma vma = ptes.remove(0);
        long address = pteAddrs.remove(0);
        long pte = vma.mm().pte(address);
        if (Pte.present(pte) && !Pte.special(pte) && Pte.pfn(pte) == pfn) {
            ZapWalk walk = zap.walk(vma.mm(), List.of(vma), address, address + Page.PAGE_SIZE, VmFlags.VM_LOCKED,
                    "try_to_unmap_one", MmuNotifierEvent.CLEAR, null);
            walk.run();
            if (walk.refused()) {
                trace.path("try_to_unmap_one: VM_LOCKED, walk_abort");
                ptes.clear();
                pteAddrs.clear();
            }
        }
        if (ptes.isEmpty()) {
            at(FREE, "try_to_unmap(pfn %d) done", pfn);
        } else {
            at(UNMAP, "pte %#x of mm %d unmapped", address, vma.mm().id());
        }
    }

    private void free() {
        AddressSpace mapping = mappings.get(pi);
        long index = indices[pi];
        if (frames().test(pfn, PageFlags.PG_DIRTY) || frames().mapcount(pfn) > 0) {
            putback();
            at(PAGE, "kept index %d", index);
            return;
        }
        if (core.profile().on(Switch.RECLAIM_SKIP_PINNED) && frames().refcount(pfn) >= Rmap.GUP_PIN_COUNTING_BIAS) {
            // d824ec2a1546: "Folio is unmapped now so it cannot be newly pinned anymore" (folio_maybe_dma_pinned)
            trace.path("folio_maybe_dma_pinned");
            putback();
            at(PAGE, "kept index %d (maybe DMA-pinned)", index);
            return;
        }
        filemap.releaseBuffers(pfn);
        trace.path("__remove_mapping");
        // expected: the cache's reference and the isolation's
        if (frames().refcount(pfn) != 2 || mapping.pageAt(index) != pfn) {
            trace.path("__remove_mapping refused");
            putback();
            at(PAGE, "kept index %d (refcount %d)", index, frames().refcount(pfn));
            return;
        }
        mapping.removePage(index);
        if (trace.on()) {
            trace.record(new Change.PageUncached(mapping.host(), index, pfn));
        }
        frames().setMapping(pfn, 0, 0);
        frames().clear(pfn, PageFlags.PG_LOCKED);
        core.alloc().putPage(pfn);
        core.alloc().putPage(pfn);
        reclaimed++;
        at(PAGE, "index %d reclaimed", index);
    }

    private void putback() {
        frames().clear(pfn, PageFlags.PG_LOCKED);
        frames().set(pfn, PageFlags.PG_LRU);
        core.alloc().putPage(pfn);
    }

    @Override
    protected void locals(StateHasher h) {
        h.add(indices.length);
        for (int i = 0; i < indices.length; i++) {
            h.add(mappings.get(i).id()).add(indices[i]);
        }
        h.add(invalidate).add(pi).add(pfn).add(reclaimed).add(ptes.size());
        for (int i = 0; i < ptes.size(); i++) {
            h.add(ptes.get(i).mm().id()).add(pteAddrs.get(i));
        }
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    private ReclaimCall(ReclaimCall o, Copier c) {
        super(o, c);
        this.core = c.copy(o.core);
        this.filemap = c.copy(o.filemap);
        this.zap = c.copy(o.zap);
        List<AddressSpace> ms = new ArrayList<>(o.mappings.size());
        for (AddressSpace m : o.mappings) {
            ms.add(c.copy(m));
        }
        this.mappings = List.copyOf(ms);
        this.indices = o.indices.clone();
        this.pi = o.pi;
        this.pfn = o.pfn;
        this.reclaimed = o.reclaimed;
        this.invalidate = o.invalidate;
        for (Vma v : o.ptes) {
            ptes.add(c.copy(v));
        }
        this.pteAddrs = new ArrayList<>(o.pteAddrs);
    }

    @Override
    public ReclaimCall copy(Copier c) {
        return new ReclaimCall(this, c);
    }
}
