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

    private final Filemap filemap;
    /** The files to write, in order (one for fsync and the writeback operation; every file for sync). */
    private final List<AddressSpace> mappings;
    private int mi;
    private AddressSpace mapping;
    private final boolean sync;
    /** The page being written: its index and frame; the shared ptes folio_mkclean has left (VMA, address). */
    private long index = -1;
    private int pfn = -1;
    private List<Vma> ptes = new ArrayList<>();
    private List<Long> pteAddrs = new ArrayList<>();
    private int dirtyPtes;

    WritebackCall(Filemap filemap, List<AddressSpace> mappings, boolean sync, String name) {
        super(filemap.trace(), filemap.core().footprint(), name);
        this.filemap = filemap;
        this.mappings = List.copyOf(mappings);
        this.mapping = mappings.isEmpty() ? null : mappings.get(0);
        this.sync = sync;
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
            case MKCLEAN -> ptes.isEmpty() ? null : ptes.get(0).mm().ptl().acquire().blocked();
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
        for (Map.Entry<Long, Integer> e : mapping.pagesFrom(index + 1).entrySet()) {
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
        for (Rmap.Mapping m : filemap.rmap().rmapWalkFile(pfn)) {
            if (m.vma().has(VmFlags.VM_SHARED)) {
                ptes.add(m.vma());
                pteAddrs.add(m.address());
            }
        }
        dirtyPtes = 0;
        if (ptes.isEmpty()) {
            at(TEST, "folio_mkclean(index %d) done", index);
            return;
        }
        mkcleanOne();
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
            at(TEST, "folio_mkclean(index %d) done", index);
        } else {
            at(MKCLEAN, "pte %#x of mm %d cleaned", address, mm.id());
        }
    }

    private void testAndStart() {
        if (!filemap.frames().test(pfn, PageFlags.PG_DIRTY)) {
            unlockAndNext();
            return;
        }
        filemap.frames().clear(pfn, PageFlags.PG_DIRTY);
        trace.path("ext4_writepages");
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
        this.index = o.index;
        this.pfn = o.pfn;
        this.dirtyPtes = o.dirtyPtes;
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
