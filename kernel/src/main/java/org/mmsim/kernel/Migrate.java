package org.mmsim.kernel;

import java.util.List;

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
final class Migrate {
    private final Kernel k;
    private final PageFrames frames;

    Migrate(Kernel k) {
        this.k = k;
        this.frames = k.frames;
    }

    /**
     * Move {@code pfn} to a frame of ZONE_NORMAL.
     *
     * @return the new PFN, or -EAGAIN (unexpected references), -ENOMEM (no frame in ZONE_NORMAL)
     */
    int migratePage(int pfn) {
        k.path("migrate_pages");
        boolean anon = frames.test(pfn, PageFlags.PG_ANON);
        Inode inode = anon ? null : k.inode(frames.mapping(pfn));
        boolean cached = inode != null && !inode.evicted() && inode.pageAt(frames.index(pfn)) == pfn;
        int expected = frames.mapcount(pfn) + (cached ? 1 : 0);
        if (frames.refcount(pfn) != expected) {
            return -Errno.EAGAIN;
        }
        int dst = k.alloc.allocFrom(Zone.NORMAL);
        if (dst < 0) {
            return -Errno.ENOMEM;
        }
        List<Rmap.Mapping> mappings = k.rmap.rmapWalk(pfn);
        frames.copyData(pfn, dst);
        frames.setFlags(dst, frames.flags(pfn));
        frames.setMapping(dst, frames.mapping(pfn), frames.index(pfn));
        frames.setMapcount(dst, frames.mapcount(pfn));
        frames.setRefcount(dst, frames.refcount(pfn));
        for (Rmap.Mapping m : mappings) {
            long pte = m.mm().pte(m.address());
            m.mm().setPte(m.address(), Pte.make(dst, pte & ~Pte.PFN_MASK));
        }
        if (cached) {
            inode.pages.put(frames.index(pfn), dst);
        }
        k.note("pfn " + pfn + " migrated to pfn " + dst);
        frames.setMapcount(pfn, 0);
        k.alloc.pageRefSub(pfn, frames.refcount(pfn));
        return dst;
    }
}
