package org.mmsim.kernel.mm.migrate;

import java.util.List;
import org.mmsim.kernel.mm.AddressSpace;
import org.mmsim.kernel.mm.MmCore;
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
 * Page migration (mm/migrate.c {@code migrate_pages()} with {@code MR_LONGTERM_PIN}), as a long-term pin uses it to
 * move pages out of ZONE_MOVABLE before pinning them.
 *
 * <p>Design notes. Migration succeeds only if every reference to the page is one it can move: the ptes (found by
 * the reverse map) and, for a page-cache page, the cache's own ({@code folio_expected_refs()}). Any other
 * reference (a pipe buffer, a FOLL_GET, a pin) makes {@code folio_migrate_mapping()} fail with -EAGAIN, which is
 * why pinned pages are unmovable. On success the new page takes over the contents, the flags (anon-exclusive
 * included), {@code mapping}/{@code index}, the mapcount and the references; each pte is rewritten to the new
 * frame with its permission, dirty, young and soft-dirty bits kept ({@code remove_migration_ptes()}), and the old
 * frame is freed.
 */
public final class Migrate {
    private final MmCore core;
    private final Tracer trace;
    private final PageFrames frames;
    private final PageAlloc alloc;
    private final Rmap rmap;

    private final MmuNotifiers notifiers;
    /** mm/migrate_device.c, over the same machine: migration to and from device-coherent memory. */
    private final MigrateDevice device;

    public Migrate(MmCore core, Rmap rmap, MmuNotifiers notifiers) {
        this.notifiers = notifiers;
        this.core = core;
        this.trace = core.trace();
        this.frames = core.frames();
        this.alloc = core.alloc();
        this.rmap = rmap;
        this.device = new MigrateDevice(core, rmap, notifiers);
    }

    /** mm/migrate_device.c's half of migration: device-coherent memory ({@link MigrateDevice}). */
    public MigrateDevice device() {
        return device;
    }

    /**
     * Move {@code pfn} to a frame of ZONE_NORMAL. A page that is locked or under writeback is not moved:
     * {@code migrate_folio_unmap()} takes the folio lock and, for MIGRATE_SYNC (a long-term pin's), waits for
     * writeback to end before it unmaps anything. The kernel waits there and moves the page afterwards; a pin's
     * migration is part of one step in the model, which cannot wait inside it, so the busy page is refused as a page
     * with an unexpected reference is, and nothing about it changes. (Moving it, as the model did, carried PG_locked
     * and PG_writeback to a new page that no unlock or end of writeback would ever reach.)
     *
     * @return the new PFN, or -EAGAIN (unexpected references, or locked or under writeback), -ENOMEM (no frame in
     *     ZONE_NORMAL)
     */
    public int migratePage(int pfn) {
        trace.path("migrate_pages");
        if (frames.test(pfn, PageFlags.PG_LOCKED) || frames.test(pfn, PageFlags.PG_WRITEBACK)) {
            trace.path("migrate_folio_unmap: locked or under writeback");
            return -Errno.EAGAIN;
        }
        boolean anon = frames.test(pfn, PageFlags.PG_ANON);
        AddressSpace mapping = anon ? null : core.mapping(frames.mapping(pfn));
        boolean cached = mapping != null && !mapping.evicted() && mapping.pageAt(frames.index(pfn)) == pfn;
        // folio_expected_refs(): + 1 for the cache, + 1 for folio->private (buffer_migrate_folio moves the buffers)
        int expected = frames.mapcount(pfn) + (cached ? 1 : 0) + (frames.test(pfn, PageFlags.PG_PRIVATE) ? 1 : 0);
        if (frames.refcount(pfn) != expected) {
            return -Errno.EAGAIN;
        }
        int dst = alloc.allocFrom(Zone.NORMAL);
        if (dst < 0) {
            return -Errno.ENOMEM;
        }
        List<Rmap.Mapping> mappings = rmap.rmapWalk(pfn);
        frames.copyData(pfn, dst);
        frames.setFlags(dst, frames.flags(pfn));
        frames.setMapping(dst, frames.mapping(pfn), frames.index(pfn));
        frames.setMapcount(dst, frames.mapcount(pfn));
        frames.setRefcount(dst, frames.refcount(pfn));
        for (Rmap.Mapping m : mappings) {
            MmuNotifierRange range = MmuNotifierRange.of(MmuNotifierEvent.CLEAR, m.mm(), m.address(),
                    m.address() + Page.PAGE_SIZE);
            notifiers.invalidateRangeStart(range);
            long pte = m.mm().pte(m.address());
            m.mm().setPte(m.address(), Pte.make(dst, pte & ~Pte.PFN_MASK));
            notifiers.invalidateRangeEnd(range);
        }
        if (cached) {
            mapping.replacePage(frames.index(pfn), dst);
        }
        if (trace.on()) {
            trace.record(new Change.PageMigrated(pfn, dst));
        }
        frames.setMapcount(pfn, 0);
        alloc.pageRefSub(pfn, frames.refcount(pfn));
        return dst;
    }
}
