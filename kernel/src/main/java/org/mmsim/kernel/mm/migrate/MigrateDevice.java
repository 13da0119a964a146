package org.mmsim.kernel.mm.migrate;

import java.util.List;
import org.mmsim.kernel.export.Export;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.MmCore;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.mm.VmFlags;
import org.mmsim.kernel.mm.memory.Memory;
import org.mmsim.kernel.mm.notifier.MmuNotifierEvent;
import org.mmsim.kernel.mm.notifier.MmuNotifierRange;
import org.mmsim.kernel.mm.notifier.MmuNotifiers;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.mm.page.PageAlloc;
import org.mmsim.kernel.mm.page.PageFlags;
import org.mmsim.kernel.mm.page.PageFrames;
import org.mmsim.kernel.mm.page.Zone;
import org.mmsim.kernel.mm.pgtable.Pte;
import org.mmsim.kernel.mm.rmap.Rmap;
import org.mmsim.kernel.trace.Change;
import org.mmsim.kernel.trace.Tracer;
import org.mmsim.kernel.uapi.Errno;

/**
 * Migration of a range of a process's pages to and from device memory (mm/migrate_device.c): {@code
 * migrate_vma_setup()} collects the pages, the driver allocates a destination for each and copies it, {@code
 * migrate_vma_pages()} moves the mappings and {@code migrate_vma_finalize()} frees what was left behind. The model
 * runs the three as one step of its caller, which holds {@code mmap_lock} for read, so no migration entry is ever
 * seen by another thread: where the kernel would make a concurrent fault wait on the entry, here nothing can come
 * between.
 *
 * <p>Only {@code MEMORY_DEVICE_COHERENT} memory is modelled (6.0, f25cbb7a95a2): its pages are mapped by ordinary
 * present ptes, so once migrated they are read, written, copied on write and forked as any anonymous page. There is
 * no device-private memory, whose pages hide behind swap-like entries.
 *
 * <p>What is collected ({@code migrate_vma_collect_pmd}): a hole ({@code pte_none}) or the zero page of an anonymous
 * VMA, which the destination then fills ({@code migrate_vma_insert_page}); a page {@code vm_normal_page} finds that
 * {@code select} allows (system RAM with {@link #SELECT_SYSTEM}, this owner's coherent pages with
 * {@link #SELECT_DEVICE_COHERENT}) and that has a {@code mapping}, unless it has references its mappings (and the page
 * cache's) do not explain (a pin, a GUP reference, a pipe buffer: {@code migrate_vma_check_page}); a ZONE_DEVICE page
 * may have one such reference ("Page from ZONE_DEVICE have one extra reference"), which keeps the source alive after
 * the move. A page-cache page (shmem included) is collected, and the driver gives it a destination, but {@code
 * __migrate_device_pages} refuses it ("only support anonymous memory"): it stays, and the destination goes back.
 */
@Export
public final class MigrateDevice {
    /** {@code MIGRATE_VMA_SELECT_SYSTEM}. */
    public static final int SELECT_SYSTEM = 1;
    /** {@code MIGRATE_VMA_SELECT_DEVICE_COHERENT}. */
    public static final int SELECT_DEVICE_COHERENT = 1 << 2;
    /** {@code MIGRATE_PFN_VALID}: the entry names a source page ({@link #pfnOf}). */
    public static final long MIGRATE_PFN_VALID = 1;
    /** {@code MIGRATE_PFN_MIGRATE}: the entry is being migrated (a hole with no page, or a page). */
    public static final long MIGRATE_PFN_MIGRATE = 1 << 1;
    /** {@code MIGRATE_PFN_WRITE}: the source was mapped writable. */
    public static final long MIGRATE_PFN_WRITE = 1 << 3;
    /** {@code MIGRATE_PFN_SHIFT}. */
    public static final int MIGRATE_PFN_SHIFT = 6;

    /** The driver's half ({@code dmirror_migrate_alloc_and_copy}, {@code dmirror_devmem_fault_alloc_and_copy}). */
    @Export
    @FunctionalInterface
    public interface AllocAndCopy {
        /**
         * A destination for entry {@code i} of {@code src} ({@code MIGRATE_PFN_*} bits and, with VALID, the source
         * PFN): a page the driver allocated (refcount 1, its own) and filled with the source's words, or zeroed for a
         * hole; or -1 to leave the entry where it is.
         */
        int alloc(int i, long src);
    }

    private final MmCore core;
    private final Tracer trace;
    private final PageFrames frames;
    private final PageAlloc alloc;
    private final Rmap rmap;
    private final MmuNotifiers notifiers;

    public MigrateDevice(MmCore core, Rmap rmap, MmuNotifiers notifiers) {
        this.core = core;
        this.trace = core.trace();
        this.frames = core.frames();
        this.alloc = core.alloc();
        this.rmap = rmap;
        this.notifiers = notifiers;
    }

    /** The PFN of a VALID {@code MIGRATE_PFN_*} entry ({@code migrate_pfn_to_page}). */
    @Export
    public static int pfnOf(long entry) {
        return (int) (entry >>> MIGRATE_PFN_SHIFT);
    }

    /**
     * {@code migrate_vma_setup()}, the driver's {@code alloc_and_copy}, {@code migrate_vma_pages()} and {@code
     * migrate_vma_finalize()} over [start, end) of {@code mm}, all in one step; the caller holds {@code mmap_lock} for
     * read. {@code src} (one entry per page) gets each page's {@code MIGRATE_PFN_*} entry as the driver saw it, with
     * MIGRATE cleared where the page did not move; {@code dst} gets the destination PFN, or -1.
     *
     * @param owner the {@code pgmap_owner} for selecting pages: the index of the caller's coherent pagemap
     *              ({@link PageAlloc#pagemapOf})
     * @param notifierOwner the {@code owner} of the collected range's {@code MMU_NOTIFY_MIGRATE} invalidation (the
     *              driver's device object), so that the driver's notifiers may skip their own migration
     * @return 0, or -EINVAL: no VMA at {@code start}, a {@code VM_IO}/{@code VM_PFNMAP}/{@code VM_MIXEDMAP}/{@code
     *     VM_DONTEXPAND}/hugetlb VMA, an empty range, or a range not inside the VMA
     */
    public int migrateVma(Mm mm, long start, long end, int select, int owner, Object notifierOwner, long[] src,
            int[] dst, AllocAndCopy driver) {
        trace.path("migrate_vma_setup");
        start &= -Page.PAGE_SIZE;
        end &= -Page.PAGE_SIZE;
        Vma vma = mm.vmaAt(start);
        if (vma == null || vma.has(VmFlags.VM_IO | VmFlags.VM_PFNMAP | VmFlags.VM_MIXEDMAP | VmFlags.VM_DONTEXPAND
                | VmFlags.VM_HUGETLB) || end <= start || end > vma.end()) {
            return -Errno.EINVAL;
        }
        int n = (int) ((end - start) >>> Page.PAGE_SHIFT);
        MmuNotifierRange range = new MmuNotifierRange(mm, start, end, MmuNotifierEvent.MIGRATE, true, notifierOwner);
        notifiers.invalidateRangeStart(range);
        for (int i = 0; i < n; i++) {
            src[i] = collect(vma, start + ((long) i << Page.PAGE_SHIFT), select, owner, range);
            dst[i] = -1;
        }
        for (int i = 0; i < n; i++) {
            if ((src[i] & MIGRATE_PFN_MIGRATE) != 0) {
                dst[i] = driver.alloc(i, src[i]);
            }
        }
        trace.path("migrate_vma_pages");
        for (int i = 0; i < n; i++) {
            long addr = start + ((long) i << Page.PAGE_SHIFT);
            boolean moved = dst[i] >= 0 && ((src[i] & MIGRATE_PFN_VALID) == 0
                    ? insertPage(vma, addr, dst[i]) : move(pfnOf(src[i]), dst[i]));
            if (!moved) {
                src[i] &= ~MIGRATE_PFN_MIGRATE;
                if (dst[i] >= 0) {
                    alloc.putPage(dst[i]); // migrate_vma_finalize: the driver's page goes back
                }
                dst[i] = -1;
            }
        }
        notifiers.invalidateRangeEnd(range);
        return 0;
    }

    /**
     * {@code migrate_device_coherent_folio()} (6.0, b05a79d4377f), for a long-term pin: the device-coherent page
     * {@code pfn} moves to a frame of ZONE_NORMAL ({@code folio_alloc(GFP_USER)}). {@code migrate_device_unmap} first
     * unmaps it from every pte ({@code try_to_migrate}: a {@code MMU_NOTIFY_CLEAR} invalidation each, sent even if
     * the page then stays), then {@code migrate_vma_check_page} refuses a page with more than one reference its
     * mappings do not explain ("Page from ZONE_DEVICE have one extra reference"); a locked page is refused too (the
     * kernel's {@code folio_lock} would wait, and a step of the model cannot). The new page takes over as in
     * {@link #migrateVma}; a holder of the one extra reference keeps the device page until it lets go.
     *
     * @return the new PFN, or -EBUSY (references, locked, or no frame)
     */
    public int migrateDeviceCoherent(int pfn) {
        trace.path("migrate_device_coherent_folio");
        unmapElsewhere(pfn, null);
        if (frames.refcount(pfn) - frames.mapcount(pfn) > 1 || frames.test(pfn, PageFlags.PG_LOCKED)) {
            return -Errno.EBUSY;
        }
        int dst = alloc.allocFrom(Zone.NORMAL);
        if (dst < 0) {
            return -Errno.EBUSY;
        }
        frames.copyData(pfn, dst);
        move(pfn, dst);
        return dst;
    }

    /**
     * {@code migrate_vma_collect_pmd} and {@code migrate_device_unmap} for one pte: its {@code MIGRATE_PFN_*} entry, 0
     * if it is not collected. A page that is not left alone at once (an exclusive anonymous page that may be pinned
     * is: {@code folio_try_share_anon_rmap_pte} fails) is unmapped: its mappings outside {@code collected} (another
     * mm's, after a fork) by {@code try_to_migrate}, with an {@code MMU_NOTIFY_CLEAR} invalidation each, before {@code
     * migrate_vma_check_page} decides; a page that then stays is mapped back, its other mirrors' entries gone.
     */
    private long collect(Vma vma, long addr, int select, int owner, MmuNotifierRange collected) {
        long pte = vma.mm().pte(addr);
        if (Pte.none(pte) || (Pte.pfn(pte) == PageAlloc.ZERO_PFN && Pte.special(pte)
                && (select & SELECT_SYSTEM) != 0)) {
            // "Only allow populating anonymous memory": a hole of a shmem VMA stays a hole
            return vma.isAnonymous() ? MIGRATE_PFN_MIGRATE : 0;
        }
        int pfn = Memory.vmNormalPage(pte);
        if (pfn < 0 || !Pte.present(pte)) {
            return 0;
        }
        int pagemap = alloc.pagemapOf(pfn);
        if (pagemap >= 0 ? (select & SELECT_DEVICE_COHERENT) == 0 || pagemap != owner
                : (select & SELECT_SYSTEM) == 0) {
            return 0;
        }
        // "if (!page || !page->mapping)": a page without one (a driver's) is not collected; a page-cache or shmem
        // page is, and __migrate_device_pages refuses it later ({@link #move})
        if (frames.mapping(pfn) == 0 || frames.test(pfn, PageFlags.PG_LOCKED)) {
            return 0;
        }
        boolean anon = frames.test(pfn, PageFlags.PG_ANON);
        if (anon && frames.test(pfn, PageFlags.PG_ANON_EXCLUSIVE) && Rmap.maybeDmaPinned(frames, pfn)) {
            return 0;
        }
        unmapElsewhere(pfn, collected);
        // migrate_vma_check_page: a reference the mappings (and the page cache's, and buffers') do not explain keeps
        // the page where it is; "Page from ZONE_DEVICE have one extra reference"
        int extra = frames.refcount(pfn) - frames.mapcount(pfn) - (pagemap >= 0 ? 1 : 0)
                - (anon ? 0 : 1 + (frames.test(pfn, PageFlags.PG_PRIVATE) ? 1 : 0));
        if (extra > 0 || frames.test(pfn, PageFlags.PG_WRITEBACK)) {
            return 0;
        }
        return ((long) pfn << MIGRATE_PFN_SHIFT) | MIGRATE_PFN_VALID | MIGRATE_PFN_MIGRATE
                | (Pte.write(pte) ? MIGRATE_PFN_WRITE : 0);
    }

    /** {@code try_to_migrate}'s invalidations: each pte mapping {@code pfn} outside {@code collected} (null: all). */
    private void unmapElsewhere(int pfn, MmuNotifierRange collected) {
        for (Rmap.Mapping m : rmap.rmapWalk(pfn)) {
            if (collected == null || m.mm() != collected.mm() || !collected.overlaps(m.address(), m.address() + 1)) {
                MmuNotifierRange range = MmuNotifierRange.of(MmuNotifierEvent.CLEAR, m.mm(), m.address(),
                        m.address() + Page.PAGE_SIZE);
                notifiers.invalidateRangeStart(range);
                notifiers.invalidateRangeEnd(range);
            }
        }
    }

    /**
     * {@code migrate_vma_insert_page()}: a hole (or the zero page) of an anonymous VMA gets the driver's page as a new
     * exclusive anonymous page, writable and dirty if the VMA is writable; the mapping's reference replaces the
     * driver's ({@code folio_get}, then {@code migrate_vma_finalize}'s put).
     */
    private boolean insertPage(Vma vma, long addr, int page) {
        if (!vma.isAnonymous()) {
            return false;
        }
        long old = vma.mm().pte(addr);
        if (!Pte.none(old) && !(Pte.pfn(old) == PageAlloc.ZERO_PFN && Pte.special(old))) {
            return false;
        }
        rmap.anonVmaPrepare(vma);
        long entry = Pte.make(page, vma.pageProt());
        if (vma.has(VmFlags.VM_WRITE)) {
            entry = Pte.mkWrite(Pte.mkDirty(entry));
        }
        vma.mm().addRssAnon(1);
        rmap.pageAddNewAnonRmap(page, vma, addr);
        if (alloc.pagemapOf(page) < 0) {
            frames.set(page, PageFlags.PG_LRU);
        }
        vma.mm().setPte(addr, entry);
        return true;
    }

    /**
     * {@code __migrate_device_pages}, {@code remove_migration_ptes} and {@code migrate_vma_finalize}: a page-cache
     * page is refused (false); else {@code dst}, which the driver filled, takes over the flags (anon-exclusive
     * included), the anon_vma and index, the mapcount and the mappings' references; every pte that mapped {@code pfn}
     * (in any mm, after a fork: {@link #collect} invalidated those) maps {@code dst} with the same bits; then
     * {@code pfn} loses the mappings' references, and with the last it goes to the buddy allocator or, for a coherent
     * page, to its driver.
     */
    private boolean move(int pfn, int dst) {
        if (!frames.test(pfn, PageFlags.PG_ANON)) {
            // "only support anonymous memory migrating to device private or coherent": mapped back where it was
            return false;
        }
        int mapped = frames.mapcount(pfn);
        int flags = frames.flags(pfn) & ~PageFlags.PG_LRU;
        frames.setFlags(dst, alloc.pagemapOf(dst) < 0 ? flags | PageFlags.PG_LRU : flags);
        frames.setMapping(dst, frames.mapping(pfn), frames.index(pfn));
        frames.setMapcount(dst, mapped);
        frames.setRefcount(dst, mapped);
        for (Rmap.Mapping m : rmap.rmapWalk(pfn)) {
            long pte = m.mm().pte(m.address());
            m.mm().setPte(m.address(), Pte.make(dst, pte & ~Pte.PFN_MASK));
        }
        if (trace.on()) {
            trace.record(new Change.PageMigrated(pfn, dst));
        }
        // the mappings' references went to dst; one more holder (a GUP reference on a device page) keeps pfn alive
        // until it lets go, and only then does the page go back
        frames.setMapcount(pfn, 0);
        alloc.pageRefSub(pfn, mapped);
        return true;
    }
}
