package org.mmsim.kernel;

import java.util.List;
import org.mmsim.kernel.profile.Switch;

/**
 * {@code mprotect()} (mm/mprotect.c): change the VMA flags and rewrite each present pte with the new
 * {@code vm_page_prot} ({@code change_pte_range}).
 *
 * <p>The shortcut the cow selftest's "mprotect() optimization" cases exercise: since 6.0 (64fe24a3e05e, made
 * independent of the dirty bit later) {@code change_pte_range} maps a pte writable at once when
 * {@code can_change_pte_writable()} says no write fault is needed: for a private mapping only if the page is
 * anonymous and exclusive. Before 6.0, mprotect never made a private anon pte writable.
 */
final class Mprotect {
    private final Kernel k;

    Mprotect(Kernel k) {
        this.k = k;
    }

    /**
     * {@code do_mprotect_pkey()}.
     *
     * @return 0; -EINVAL for an unaligned start; -ENOMEM if part of the range is not mapped or the length wraps;
     *     -EACCES if a VMA
     *     may not get the new permission (VM_MAY* missing)
     */
    long mprotect(Mm mm, long start, long len, int prot) {
        k.path("mprotect_fixup");
        if ((start & (PageTable.PAGE_SIZE - 1)) != 0) {
            return -Errno.EINVAL;
        }
        if (len == 0) {
            return 0;
        }
        long end = start + Mmap.pageAlign(len);
        if (len < 0 || end <= start) {
            return -Errno.ENOMEM;
        }
        if (!fullyMapped(mm, start, end)) {
            return -Errno.ENOMEM;
        }
        long newProt = Mman.calcVmProtBits(prot);
        List<Vma> vmas = mm.vmasIn(start, end);
        for (Vma vma : vmas) {
            long mayBits = (vma.flags >>> 4) & (VmFlags.VM_READ | VmFlags.VM_WRITE | VmFlags.VM_EXEC);
            if ((newProt & ~mayBits) != 0) {
                return -Errno.EACCES;
            }
        }
        for (Vma vma : vmas) {
            long old = vma.flags;
            vma.flags = (vma.flags & ~(VmFlags.VM_READ | VmFlags.VM_WRITE | VmFlags.VM_EXEC)) | newProt;
            if (old != vma.flags) {
                k.note("mm " + mm.id() + ": vma " + vma + " (was " + VmFlags.describe(old) + ")");
            }
            changePteRange(vma);
        }
        return 0;
    }

    static boolean fullyMapped(Mm mm, long start, long end) {
        long a = start;
        while (a < end) {
            Vma vma = mm.vmaAt(a);
            if (vma == null) {
                return false;
            }
            a = vma.end;
        }
        return true;
    }

    /** {@code change_pte_range()}: apply the VMA's new protection to every present pte. */
    private void changePteRange(Vma vma) {
        Mm mm = vma.mm();
        long prot = vma.pageProt();
        boolean tryWritable = vma.has(VmFlags.VM_SHARED) ? vma.wantsWritenotify()
                : k.profile.on(Switch.MPROTECT_ANON_WRITABLE) && vma.has(VmFlags.VM_WRITE);
        for (long addr = vma.start; addr < vma.end; addr += PageTable.PAGE_SIZE) {
            long pte = mm.pte(addr);
            if (!Pte.present(pte)) {
                continue;
            }
            long ptent = Pte.modify(pte, prot);
            if (tryWritable && !Pte.write(ptent) && canChangePteWritable(vma, ptent)) {
                ptent = Pte.mkWrite(ptent);
            }
            if (ptent != pte) {
                mm.setPte(addr, ptent);
            }
        }
    }

    /**
     * {@code can_change_pte_writable()}: not PROT_NONE and no soft-dirty tracking pending; then, in a private VMA,
     * the page must be anonymous and exclusive (a possibly shared page must take the write fault so it is
     * copied); in a shared write-notify VMA the pte must already be dirty (the filesystem has heard of it).
     */
    private boolean canChangePteWritable(Vma vma, long pte) {
        if (!Pte.hwAccessible(pte)) {
            return false;
        }
        if (vma.softDirtyEnabled() && !Pte.softDirty(pte)) {
            return false;
        }
        if (vma.has(VmFlags.VM_SHARED)) {
            return Pte.dirty(pte);
        }
        int pfn = k.memory.vmNormalPage(pte);
        return pfn >= 0 && k.frames.test(pfn, PageFlags.PG_ANON)
                && k.frames.test(pfn, PageFlags.PG_ANON_EXCLUSIVE);
    }
}
