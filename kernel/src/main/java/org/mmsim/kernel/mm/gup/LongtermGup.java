package org.mmsim.kernel.mm.gup;

import java.util.LinkedHashSet;
import java.util.TreeSet;
import org.mmsim.kernel.bug.KernelBug;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.migrate.Migrate;
import org.mmsim.kernel.mm.page.PageAlloc;
import org.mmsim.kernel.mm.page.Zone;
import org.mmsim.kernel.profile.Switch;
import org.mmsim.kernel.uapi.Errno;

/**
 * Long-term GUP and ZONE_MOVABLE (mm/gup.c {@code __gup_longterm_locked}, {@code check_and_migrate_movable_pages}):
 * a FOLL_LONGTERM pin must not hold a page in memory that has to stay migratable, so where the profile has it
 * ({@link Switch#LONGTERM_MIGRATE_MOVABLE}: CMA in 5.1, ZONE_MOVABLE in 5.13) GUP takes the pages, gives back every
 * page if one is movable, migrates those to ZONE_NORMAL and takes them again. Device-coherent pages (6.0) are never
 * long-term pinnable either; they move first, by {@code migrate_device_coherent_folio}.
 */
final class LongtermGup {
    private final Gup gup;
    private final PageAlloc alloc;
    private final Migrate migrate;

    LongtermGup(Gup gup, Migrate migrate) {
        this.gup = gup;
        this.alloc = gup.core.alloc();
        this.migrate = migrate;
    }

    /** Whether a long-term GUP runs through {@link #getUserPagesLocked}'s migration loop under this profile. */
    boolean migratesMovable(int flags) {
        return (flags & Foll.FOLL_LONGTERM) != 0 && gup.core.profile().on(Switch.LONGTERM_MIGRATE_MOVABLE);
    }

    /**
     * {@code __gup_longterm_locked()}: a FOLL_LONGTERM GUP runs with {@code memalloc_pin_save()} (its faults allocate
     * outside ZONE_MOVABLE) and loops: take the pages, then {@link #checkAndMigrateMovablePages}; -EAGAIN means pages
     * were migrated, so take them again. The caller holds mmap_lock for read.
     */
    long getUserPagesLocked(Mm mm, long start, int nr, int flags, int[] pages) {
        boolean saved = alloc.memallocPin(true);
        try {
            for (int attempt = 0; ; attempt++) {
                if (attempt == 8) {
                    throw new KernelBug("gup_loop", "long-term GUP keeps migrating at " + Long.toHexString(start));
                }
                long rc = new GetUserPages(gup, mm, start, nr, flags, pages).run();
                if (rc <= 0) {
                    return rc;
                }
                int r = checkAndMigrateMovablePages((int) rc, pages, flags);
                if (r != -Errno.EAGAIN) {
                    return r < 0 ? r : rc;
                }
            }
        } finally {
            alloc.memallocPin(saved);
        }
    }

    /**
     * {@code check_and_migrate_movable_pages()}: if any page taken is not long-term pinnable, give every page back and
     * migrate those to ZONE_NORMAL; -EAGAIN asks the caller to take them again. {@code
     * migrate_longterm_unpinnable_folios} moves the device-coherent pages first, in the order GUP returned them
     * ({@code migrate_device_coherent_folio}, 6.0 b05a79d4377f): the first that cannot move fails the pin with -EBUSY
     * and nothing else is moved. Then the ZONE_MOVABLE ones ({@code migrate_pages}): a page that cannot move (another
     * reference holds it) fails the pin with -ENOMEM, after the others were moved.
     *
     * @return 0 (all pinnable, pages kept), -EAGAIN (migrated, retry), -EBUSY or -ENOMEM
     */
    private int checkAndMigrateMovablePages(int nr, int[] pages, int flags) {
        TreeSet<Integer> movable = new TreeSet<>();
        LinkedHashSet<Integer> coherent = new LinkedHashSet<>();
        for (int i = 0; i < nr; i++) {
            if (pages[i] == PageAlloc.ZERO_PFN) {
                continue;
            }
            if (alloc.isDeviceCoherent(pages[i])) {
                coherent.add(pages[i]);
            } else if (alloc.zoneOf(pages[i]) == Zone.MOVABLE) {
                movable.add(pages[i]);
            }
        }
        if (movable.isEmpty() && coherent.isEmpty()) {
            return 0;
        }
        gup.trace.path("migrate_longterm_unpinnable_folios");
        for (int i = 0; i < nr; i++) {
            gup.gupPutPage(pages[i], flags);
        }
        for (int pfn : coherent) {
            if (migrate.device().migrateDeviceCoherent(pfn) < 0) {
                return -Errno.EBUSY;
            }
        }
        // migrate_pages() goes through the whole list: a page it cannot move does not keep the others where they are
        boolean failed = false;
        for (int pfn : movable) {
            failed |= migrate.migratePage(pfn) < 0;
        }
        return failed ? -Errno.ENOMEM : -Errno.EAGAIN;
    }
}
