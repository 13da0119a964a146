package org.mmsim.kernel;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code do_madvise()} as a call the explorer can suspend. MADV_DONTNEED takes {@code mmap_lock} for read
 * ({@code madvise_need_mmap_write()} is false for it) and zaps pte by pte, holding the PTL across the ptes of one
 * page table as {@code zap_pte_range} does:
 *
 * <pre>
 *   LOCK:  mmap_read_lock(mm); find the VMAs (no split: DONTNEED does not change VMAs)
 *   ZAP:   (PTL taken at the first pte of a table) ptep_get_and_clear(); page_remove_rmap(); put_page()
 *          ← point after each pte; the PTL is dropped after the last pte of a table
 *          after the last pte: mmap_read_unlock(mm)
 * </pre>
 *
 * A GUP that holds {@code mmap_lock} for read too runs between these steps (Dirty COW), but its own steps need
 * the PTL, so it never runs between two ptes of the same table. The other advices take {@code mmap_lock} for
 * write and run as one step ({@link Madvise}).
 *
 * <p>Returns 0; -EINVAL for an unaligned start, a wrapping length, an unknown advice, or DONTNEED on a
 * VM_LOCKED/VM_PFNMAP VMA ({@code madvise_dontneed_free_valid_vma}); -ENOMEM if part of the range is unmapped (the
 * mapped parts are still zapped).
 */
final class MadviseCall extends KernelCall {
    private static final int LOCK = 0;
    private static final int ZAP = 1;

    private final Mm mm;
    private final long start;
    private final long len;
    private final int advice;
    private long end;
    private boolean holes;
    private List<Vma> vmas;
    private int vi;
    private long addr;
    private boolean holdsPtl;

    MadviseCall(Kernel k, Mm mm, long start, long len, int advice) {
        super(k, "do_madvise");
        this.mm = mm;
        this.start = start;
        this.len = len;
        this.advice = advice;
    }

    @Override
    public boolean runnable() {
        if (pc == LOCK) {
            // the LOCK step also zaps the first pte, so DONTNEED needs the PTL free as well
            return advice == Mman.MADV_DONTNEED ? mmapReadFree(mm) && !mm.ptlHeld : mmapWriteFree(mm);
        }
        return holdsPtl || !mm.ptlHeld;
    }

    @Override
    void advance() {
        if (pc == ZAP) {
            zapNext();
            return;
        }
        if (advice != Mman.MADV_DONTNEED) {
            finish(k.madvise.madvise(mm, start, len, advice));
            return;
        }
        k.path("do_madvise");
        long r = k.madvise.validate(start, len, advice);
        if (r != 1) {
            finish(r);
            return;
        }
        mmapReadLock(mm);
        end = start + Mmap.pageAlign(len);
        holes = !Mprotect.fullyMapped(mm, start, end);
        vmas = new ArrayList<>();
        for (Vma v : mm.vmas()) {
            if (v.end > start && v.start < end) {
                vmas.add(v);
            }
        }
        vi = -1;
        addr = end;
        zapNext();
    }

    /** Zap the next pte that maps something; stop after it, or finish when there is none. */
    private void zapNext() {
        while (true) {
            if (vi >= 0 && addr < Math.min(end, vmas.get(vi).end)) {
                long pte = mm.pte(addr);
                if (pte == 0) {
                    addr += PageTable.PAGE_SIZE;
                    continue;
                }
                if (!holdsPtl) {
                    k.path("zap_pte_range");
                    holdsPtl = true;
                    mm.ptlHeld = true;
                }
                k.unmap.zapPte(mm, addr, pte);
                long zapped = addr;
                addr += PageTable.PAGE_SIZE;
                if (!moreToZap()) {
                    releasePtl();
                    mmapReadUnlock(mm);
                    finish(holes ? -Errno.ENOMEM : 0);
                    return;
                }
                if ((addr & (PageTable.PMD_SIZE - 1)) == 0) {
                    releasePtl();
                }
                at(ZAP, "pte %#x zapped", zapped);
                return;
            }
            releasePtl();
            if (++vi == vmas.size()) {
                mmapReadUnlock(mm);
                finish(holes ? -Errno.ENOMEM : 0);
                return;
            }
            Vma vma = vmas.get(vi);
            if (vma.has(VmFlags.VM_LOCKED | VmFlags.VM_PFNMAP)) {
                mmapReadUnlock(mm);
                finish(-Errno.EINVAL);
                return;
            }
            k.path("madvise_dontneed_single_vma");
            addr = Math.max(start, vma.start);
        }
    }

    /** Whether a pte that maps something, or a VMA that fails the check, lies ahead. */
    private boolean moreToZap() {
        for (int v = vi; v < vmas.size(); v++) {
            Vma vma = vmas.get(v);
            if (v > vi && vma.has(VmFlags.VM_LOCKED | VmFlags.VM_PFNMAP)) {
                return true;
            }
            for (long a = v == vi ? addr : Math.max(start, vma.start); a < Math.min(end, vma.end);
                    a += PageTable.PAGE_SIZE) {
                if (mm.pte(a) != 0) {
                    return true;
                }
            }
        }
        return false;
    }

    private void releasePtl() {
        if (holdsPtl) {
            holdsPtl = false;
            mm.ptlHeld = false;
        }
    }

    @Override
    void locals(StateHasher h) {
        h.add(vi);
        h.add(addr);
        h.add(holdsPtl ? 1 : 0);
    }
}
