package org.mmsim.kernel.mm.filemap;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.mmsim.kernel.bug.KernelBug;
import org.mmsim.kernel.locking.Acquire;
import org.mmsim.kernel.locking.WaitEvent;
import org.mmsim.kernel.mm.AddressSpace;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.VmFlags;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.mm.notifier.MmuNotifierEvent;
import org.mmsim.kernel.mm.notifier.MmuNotifierRange;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.mm.page.PageFlags;
import org.mmsim.kernel.mm.pgtable.Pte;
import org.mmsim.kernel.mm.rmap.Rmap;
import org.mmsim.kernel.profile.Ext4DirtyNobuffers;
import org.mmsim.kernel.profile.PinTracking;
import org.mmsim.kernel.profile.PinnedWriteback;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateHasher;

/**
 * Writeback of one file's dirty pages as a call with preemption points: {@code write_cache_pages()} /
 * {@code writeback_iter()} (mm/page-writeback.c) driving ext4's {@code ->writepages} one page at a time.
 *
 * <pre>
 *   NEXT:    the next page of i_pages (index order) with PG_dirty set (PAGECACHE_TAG_DIRTY); none: return 0
 *   LOCK:    (waits while another holds PG_locked: folio_lock) PG_locked; the page left the cache or is clean:
 *            unlock, NEXT. Under writeback: WB_SYNC_ALL waits (folio_wait_writeback), WB_SYNC_NONE skips it
 *   MKCLEAN: folio_clear_dirty_for_io → folio_mkclean → page_mkclean_one, one shared pte per step under that mm's
 *            pte lock, inside an MMU_NOTIFY_PROTECTION_PAGE range: write-protect, clean; a dirty pte dirties the
 *            folio (folio_mark_dirty)                                      ← a point after each pte
 *                                                                          ← a point after the walk
 *   TEST:    folio_test_clear_dirty; clean: unlock, NEXT. ext4 ->writepage(s) of a page without buffers:
 *            ext4_dirty_nobuffers=bug (≤5.17) BUG_ON, =warn (5.18): WARN_ON_ONCE, the dirty bit stays clear, the
 *            page is skipped (its data never reaches the disk); else folio_start_writeback (PG_writeback), unlock
 *                                                                          ← a point
 *   IO:      the bio completes: the disk gets the page's words as they are now; folio_end_writeback; NEXT
 * </pre>
 *
 * Locks: PG_locked (a sleeping bit lock: {@link #blockedOn} is a wait on it), the pte lock of one mm at a time, never
 * held across a point. {@code fsync} ({@code ext4_sync_file} → {@code file_write_and_wait_range}, WB_SYNC_ALL) runs
 * it to its end in its own step; the {@code writeback} and {@code sync} operations run it with its points.
 */
public final class WritebackCall extends KernelCall<Void> {
    private static final int NEXT = 0;
    private static final int LOCK = 1;
    private static final int WAIT_WB = 2;
    private static final int MKCLEAN = 3;
    private static final int TEST = 4;
    private static final int IO = 5;
    /** pin_tracking=mapcount-*: the point before page_mkclean decides (after the first walk, v1; v2's first test). */
    private static final int DECIDE = 6;
    /** pin_tracking=mapcount-v2: the second walk, page_pin_one, one pte per step. */
    private static final int WALK2 = 7;
    /** pin_tracking=mapcount-v2: the point after the second walk, before the last test. */
    private static final int DECIDE2 = 8;

    private final Filemap filemap;
    /** The files to write, in order (one for fsync and the writeback operation; every file for sync). */
    private final List<AddressSpace> mappings;
    private int mi;
    private AddressSpace mapping;
    private final boolean sync;
    /** The range of page indices written ({@code wbc->range_start}, {@code range_end}): every page for a whole file. */
    private final long firstIndex;
    private final long lastIndex;
    /** The page being written: its index and frame; the shared ptes folio_mkclean has left (VMA, address). */
    private long index = -1;
    private int pfn = -1;
    private List<Vma> ptes = new ArrayList<>();
    private List<Long> pteAddrs = new ArrayList<>();
    private int dirtyPtes;
    /**
     * Seed 003's page_mkclean (pin_tracking=mapcount-*): the ptes the walk met ({@code real_mapcount}),
     * {@code mapcount1} (read before the first walk), {@code mapcount2} (after it) and {@code rc2} (the first walk's
     * count, kept for the second).
     */
    private int realMapcount;
    private int mapcount1;
    private int mapcount2;
    private int rc2;

    WritebackCall(Filemap filemap, List<AddressSpace> mappings, boolean sync, String name) {
        this(filemap, mappings, sync, name, 0, Long.MAX_VALUE);
    }

    /** As the whole-file call, for the pages with index in [firstIndex, lastIndex] only ({@code wbc->range_start}). */
    WritebackCall(Filemap filemap, List<AddressSpace> mappings, boolean sync, String name, long firstIndex,
            long lastIndex) {
        super(filemap.trace(), filemap.core().footprint(), name);
        this.filemap = filemap;
        this.mappings = List.copyOf(mappings);
        this.mapping = mappings.isEmpty() ? null : mappings.get(0);
        this.sync = sync;
        this.firstIndex = firstIndex;
        this.lastIndex = lastIndex;
    }

    @Override
    public Acquire blockedOn() {
        return switch (pc) {
            case LOCK -> filemap.frames().test(pfn, PageFlags.PG_LOCKED) && stillCached()
                    ? new WaitEvent("PG_locked of pfn " + pfn, 0, () -> !filemap.frames().test(pfn, PageFlags.PG_LOCKED))
                    : null;
            case WAIT_WB -> filemap.frames().test(pfn, PageFlags.PG_WRITEBACK)
                    ? new WaitEvent("PG_writeback of pfn " + pfn, 0,
                            () -> !filemap.frames().test(pfn, PageFlags.PG_WRITEBACK))
                    : null;
            case MKCLEAN, WALK2 -> ptes.isEmpty() ? null : ptes.get(0).mm().ptl().acquire().blocked();
            default -> null;
        };
    }

    private boolean stillCached() {
        return mapping.pageAt(index) == pfn;
    }

    @Override
    protected void advance() {
        switch (pc) {
            case NEXT -> next();
            case LOCK -> lock();
            case WAIT_WB -> mkcleanStart();
            case MKCLEAN -> mkcleanOne();
            case TEST -> testAndStart();
            case IO -> io();
            case DECIDE -> decide();
            case WALK2 -> pinOne();
            case DECIDE2 -> decide2();
            default -> throw new IllegalStateException("writeback at " + pc);
        }
    }

    private void next() {
        while (true) {
            if (mapping == null) {
                pfn = -1;
                finish(0);
                return;
            }
            if (index < 0) {
                if (!mapping.canWriteback()) {
                    trace.path("noop_fsync");
                    nextMapping();
                    continue;
                }
                trace.path("write_cache_pages");
            }
            if (nextPage()) {
                return;
            }
            nextMapping();
        }
    }

    private void nextMapping() {
        mi++;
        mapping = mi < mappings.size() ? mappings.get(mi) : null;
        index = -1;
    }

    /** The next dirty page of this file: true if the step stopped at it (or went on with it), false if none. */
    private boolean nextPage() {
        for (Map.Entry<Long, Integer> e : mapping.pagesFrom(Math.max(index + 1, firstIndex)).entrySet()) {
            if (e.getKey() > lastIndex) {
                return false;
            }
            if (filemap.frames().test(e.getValue(), PageFlags.PG_DIRTY)) {
                index = e.getKey();
                pfn = e.getValue();
                if (filemap.frames().test(pfn, PageFlags.PG_LOCKED)) {
                    at(LOCK, "folio_lock(index %d)", index);
                    return true;
                }
                lock();
                return true;
            }
        }
        return false;
    }

    private void lock() {
        if (!stillCached() || !filemap.frames().test(pfn, PageFlags.PG_DIRTY)) {
            next();
            return;
        }
        filemap.frames().set(pfn, PageFlags.PG_LOCKED);
        if (filemap.frames().test(pfn, PageFlags.PG_WRITEBACK)) {
            if (!sync) {
                unlockAndNext();
                return;
            }
            trace.path("folio_wait_writeback");
            at(WAIT_WB, "folio_wait_writeback(index %d)", index);
            return;
        }
        mkcleanStart();
    }

    private void mkcleanStart() {
        trace.path("folio_clear_dirty_for_io");
        trace.path("folio_mkclean");
        ptes = new ArrayList<>();
        pteAddrs = new ArrayList<>();
        dirtyPtes = 0;
        if (tracking().mapcount()) {
            if (filemap.frames().mapcount(pfn) == 0) {
                // if (!page_mapped(page)) return 0: no walk, PageDMAPinned stays as it is
                at(TEST, "folio_mkclean(index %d): not mapped", index);
                return;
            }
            mapcount1 = filemap.frames().mapcount(pfn);
            realMapcount = 0;
            walkVmas();
            if (ptes.isEmpty()) {
                at(DECIDE, "rmap_walk(index %d) met no shared VMA; mapcount %d", index, mapcount1);
                return;
            }
            if (tracking() == PinTracking.MAPCOUNT_V2) {
                // mapcount1 = page_mapcount(page), then rmap_walk takes i_mmap_rwsem and the first pte lock
                at(MKCLEAN, "mapcount1 = page_mapcount(index %d) = %d", index, mapcount1);
                return;
            }
            mkcleanOneOrWait();
            return;
        }
        if (filemap.core().tlbs()) {
            // with TLBs the walk's shape matters: if (!folio_mapped(folio)) return 0; else rmap_walk visits every
            // shared VMA over the index, and page_vma_mapped_walk takes its mm's pte lock, whatever the pte holds
            if (filemap.frames().mapcount(pfn) == 0) {
                at(TEST, "folio_mkclean(index %d): not mapped", index);
                return;
            }
            walkVmas();
        } else {
            for (Rmap.Mapping m : filemap.rmap().rmapWalkFile(pfn)) {
                if (m.vma().has(VmFlags.VM_SHARED)) {
                    ptes.add(m.vma());
                    pteAddrs.add(m.address());
                }
            }
        }
        if (ptes.isEmpty()) {
            at(TEST, "folio_mkclean(index %d) done", index);
            return;
        }
        mkcleanOneOrWait();
    }

    /** The first {@code page_mkclean_one}, or a point to wait at for its pte lock (a zap stopped holding it). */
    private void mkcleanOneOrWait() {
        if (!ptes.get(0).mm().ptl().acquire().available()) {
            at(MKCLEAN, "folio_mkclean(index %d) waits for the pte lock of mm %d", index, ptes.get(0).mm().id());
            return;
        }
        mkcleanOne();
    }

    /**
     * The VMAs {@code rmap_walk_file} visits for this page under pin_tracking=mapcount-*, or with TLBs: every VMA of
     * i_mmap that
     * covers the page's index and that {@code invalid_mkclean_vma} lets through (VM_SHARED), whatever its pte holds
     * now: {@code page_vma_mapped_walk} looks at the pte when the walk reaches it.
     */
    private void walkVmas() {
        for (Vma vma : mapping.iMmap()) {
            long addr = vma.start() + ((index - vma.pgoff()) << Page.PAGE_SHIFT);
            if (vma.has(VmFlags.VM_SHARED) && vma.contains(addr)) {
                ptes.add(vma);
                pteAddrs.add(addr);
            }
        }
    }

    private PinTracking tracking() {
        return filemap.core().profile().pinTracking();
    }

    /** {@code page_mkclean_one()} on the first pte left, under its mm's pte lock. */
    private void mkcleanOne() {
        Mm mm = ptes.remove(0).mm();
        long address = pteAddrs.remove(0);
        MmuNotifierRange range = MmuNotifierRange.of(MmuNotifierEvent.PROTECTION_PAGE, mm, address,
                address + Page.PAGE_SIZE);
        filemap.notifiers().invalidateRangeStart(range);
        mm.ptl().lock();
        long pte = mm.pte(address);
        if (tracking().mapcount()) {
            if (tracking() == PinTracking.MAPCOUNT_V2 && mm.takeZapMarker(address)) {
                trace.path("page_mkclean_one: special entry cleared");
            }
            if (Pte.present(pte) && Pte.pfn(pte) == pfn && !Pte.special(pte)) {
                realMapcount++;
            }
        }
        if (Pte.present(pte) && Pte.pfn(pte) == pfn && (Pte.write(pte) || Pte.dirty(pte))) {
            if (Pte.dirty(pte)) {
                dirtyPtes++;
            }
            mm.setPte(address, Pte.wrProtect(Pte.mkClean(pte)));
        }
        mm.ptl().unlock();
        filemap.notifiers().invalidateRangeEnd(range);
        if (ptes.isEmpty()) {
            if (dirtyPtes > 0) {
                filemap.folioMarkDirty(pfn);
            }
            if (tracking().mapcount()) {
                at(DECIDE, "rmap_walk(index %d) done: real_mapcount %d", index, realMapcount);
            } else {
                at(TEST, "folio_mkclean(index %d) done", index);
            }
        } else {
            at(MKCLEAN, "pte %#x of mm %d cleaned", address, mm.id());
        }
    }

    /**
     * Seed 003's test after the first walk. mapcount-v1: {@code if ((page_mapcount(page) - real_mapcount) > 0)
     * SetPageDMAPined(page); else ClearPageDMAPined(page);}. mapcount-v2: {@code if (PageDMAPined(page))}: equal
     * counts clear it ("no zap pte race"); {@code VM_BUG_ON(mapcount1 < real_count)}; {@code mapcount2 >
     * real_count} keeps it ("pin for sure"); else the second walk with {@code page_pin_one}. The thread's
     * {@code real_count} is read as {@code real_mapcount} (the only count in scope).
     */
    private void decide() {
        int mapcount = filemap.frames().mapcount(pfn);
        if (tracking() == PinTracking.MAPCOUNT_V1) {
            setDmaPinned(mapcount - realMapcount > 0);
            testAndStart();
            return;
        }
        if (!filemap.frames().test(pfn, PageFlags.PG_DMA_PINNED)) {
            testAndStart();
            return;
        }
        if (mapcount1 == realMapcount) {
            setDmaPinned(false);
            testAndStart();
            return;
        }
        if (mapcount1 < realMapcount) {
            throw new KernelBug("page_mkclean_mapcount", String.format("VM_BUG_ON(mapcount1 < real_count) in "
                    + "page_mkclean: page index %d (pfn %d) of %s: mapcount1 %d, real_mapcount %d", index, pfn,
                    mapping, mapcount1, realMapcount));
        }
        mapcount2 = mapcount;
        if (mapcount2 > realMapcount) {
            testAndStart();
            return;
        }
        trace.path("page_pin_one");
        rc2 = realMapcount;
        realMapcount = 0;
        ptes = new ArrayList<>();
        pteAddrs = new ArrayList<>();
        walkVmas();
        at(ptes.isEmpty() ? DECIDE2 : WALK2, "mapcount1 %d, rc2 %d, mapcount2 %d: rmap_walk again", mapcount1, rc2,
                mapcount2);
    }

    /** {@code page_pin_one()} on the next pte: count (and clear) zap's special entry there. */
    private void pinOne() {
        Mm mm = ptes.remove(0).mm();
        long address = pteAddrs.remove(0);
        mm.ptl().lock();
        if (mm.takeZapMarker(address)) {
            realMapcount++;
        }
        mm.ptl().unlock();
        if (ptes.isEmpty()) {
            at(DECIDE2, "second rmap_walk(index %d) done: real_mapcount %d", index, realMapcount);
        } else {
            at(WALK2, "page_pin_one: pte %#x of mm %d", address, mm.id());
        }
    }

    /** {@code if (mapcount2 <= (real_count + rc2)) ClearPageDMAPined(page);} */
    private void decide2() {
        if (mapcount2 <= realMapcount + rc2) {
            setDmaPinned(false);
        }
        testAndStart();
    }

    private void setDmaPinned(boolean pinned) {
        if (pinned) {
            filemap.frames().set(pfn, PageFlags.PG_DMA_PINNED);
        } else {
            filemap.frames().clear(pfn, PageFlags.PG_DMA_PINNED);
        }
    }

    /**
     * Whether the design believes the page pinned, at the moment writeback decides. refcount: more references than
     * the cache, the buffers and the ptes ({@code folio_expected_refs}); bias: {@code folio_maybe_dma_pinned()};
     * mapcount-*: PageDMAPinned as page_mkclean left it. A "not pinned" while pins hold the page is recorded for the
     * pin-tracking-sound invariant; a "pinned" without any is a false positive, traced.
     */
    private boolean believedPinned() {
        int refs = filemap.frames().refcount(pfn);
        boolean believed = switch (tracking()) {
            case REFCOUNT -> refs > 1 + (filemap.frames().test(pfn, PageFlags.PG_PRIVATE) ? 1 : 0)
                    + filemap.frames().mapcount(pfn);
            case BIAS -> refs >= Rmap.GUP_PIN_COUNTING_BIAS;
            case MAPCOUNT_V1, MAPCOUNT_V2 -> filemap.frames().test(pfn, PageFlags.PG_DMA_PINNED);
        };
        int pins = refs / Rmap.GUP_PIN_COUNTING_BIAS;
        if (!believed && pins > 0) {
            trace.path("pin_tracking: pinned page believed not pinned");
            mapping.pinTrackingMissed(index, pins);
        } else if (believed && pins == 0) {
            trace.path("pin_tracking: false positive");
        }
        return believed;
    }

    private void testAndStart() {
        if (!filemap.frames().test(pfn, PageFlags.PG_DIRTY)) {
            unlockAndNext();
            return;
        }
        boolean pinned = believedPinned();
        PinnedWriteback action = pinned ? filemap.core().profile().pinnedWriteback() : PinnedWriteback.IGNORE;
        if (action == PinnedWriteback.SKIP) {
            trace.path("pinned_writeback: skip, page kept dirty");
            unlockAndNext();
            return;
        }
        filemap.frames().clear(pfn, PageFlags.PG_DIRTY);
        trace.path("ext4_writepages");
        filemap.zeroPastEof(mapping, index, pfn);
        if (action == PinnedWriteback.BOUNCE && filemap.frames().test(pfn, PageFlags.PG_PRIVATE)) {
            filemap.writeBounce(mapping, index, pfn);
            trace.path("folio_redirty_for_writepage");
            filemap.frames().set(pfn, PageFlags.PG_DIRTY);
            unlockAndNext();
            return;
        }
        if (!filemap.frames().test(pfn, PageFlags.PG_PRIVATE)) {
            if (filemap.core().profile().ext4DirtyNobuffers() == Ext4DirtyNobuffers.BUG) {
                throw new KernelBug("ext4_dirty_nobuffers", String.format("kernel BUG at fs/ext4/inode.c: "
                        + "BUG_ON(!page_has_buffers(page)) in mpage_prepare_extent_to_map: page index %d (pfn %d) of "
                        + "%s is dirty without buffers", index, pfn, mapping));
            }
            trace.path("WARN_ON_ONCE(!folio_buffers(folio))");
            unlockAndNext();
            return;
        }
        filemap.frames().set(pfn, PageFlags.PG_WRITEBACK);
        filemap.frames().clear(pfn, PageFlags.PG_LOCKED);
        filemap.startedWriteback(mapping, index, pfn);
        at(IO, "folio_start_writeback(index %d), unlocked", index);
    }

    private void io() {
        filemap.completeWriteback(mapping, index, pfn);
        next();
    }

    private void unlockAndNext() {
        filemap.frames().clear(pfn, PageFlags.PG_LOCKED);
        next();
    }

    @Override
    protected void locals(StateHasher h) {
        h.add(mappings.size());
        for (AddressSpace m : mappings) {
            h.add(m.id());
        }
        h.add(mi).add(sync).add(index).add(pfn).add(dirtyPtes).add(ptes.size());
        h.add(realMapcount).add(mapcount1).add(mapcount2).add(rc2);
        for (int i = 0; i < ptes.size(); i++) {
            h.add(ptes.get(i).mm().id()).add(pteAddrs.get(i));
        }
    }

    // ---- copy ---------------------------------------------------------------------------------------------------

    private WritebackCall(WritebackCall o, Copier c) {
        super(o, c);
        this.filemap = c.copy(o.filemap);
        List<AddressSpace> ms = new ArrayList<>(o.mappings.size());
        for (AddressSpace m : o.mappings) {
            ms.add(c.copy(m));
        }
        this.mappings = List.copyOf(ms);
        this.mi = o.mi;
        this.mapping = c.copy(o.mapping);
        this.sync = o.sync;
        this.firstIndex = o.firstIndex;
        this.lastIndex = o.lastIndex;
        this.index = o.index;
        this.pfn = o.pfn;
        this.dirtyPtes = o.dirtyPtes;
        this.realMapcount = o.realMapcount;
        this.mapcount1 = o.mapcount1;
        this.mapcount2 = o.mapcount2;
        this.rc2 = o.rc2;
        for (Vma v : o.ptes) {
            ptes.add(c.copy(v));
        }
        this.pteAddrs = new ArrayList<>(o.pteAddrs);
    }

    @Override
    public WritebackCall copy(Copier c) {
        return new WritebackCall(this, c);
    }
}
