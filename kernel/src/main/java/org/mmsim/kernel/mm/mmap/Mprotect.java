package org.mmsim.kernel.mm.mmap;

import java.util.List;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.MmCore;
import org.mmsim.kernel.mm.VmFlags;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.mm.memory.Memory;
import org.mmsim.kernel.mm.notifier.MmuNotifierEvent;
import org.mmsim.kernel.mm.notifier.MmuNotifierRange;
import org.mmsim.kernel.mm.notifier.MmuNotifiers;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.mm.page.PageFlags;
import org.mmsim.kernel.mm.page.PageFrames;
import org.mmsim.kernel.mm.pgtable.PageTable;
import org.mmsim.kernel.mm.pgtable.Pte;
import org.mmsim.kernel.profile.Switch;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.sched.Syscall;
import org.mmsim.kernel.trace.Tracer;
import org.mmsim.kernel.uapi.Errno;

/**
 * {@code mprotect()} (mm/mprotect.c): change the VMA flags and rewrite each present pte with the new
 * {@code vm_page_prot} ({@code change_pte_range}), under {@code mmap_lock} held for write.
 *
 * <p>The shortcut the cow selftest's "mprotect() optimization" cases exercise: since 6.0 (64fe24a3e05e, made
 * independent of the dirty bit later) {@code change_pte_range} maps a pte writable at once when
 * {@code can_change_pte_writable()} says no write fault is needed: for a private mapping only if the page is anonymous
 * and exclusive. Before 6.0, mprotect never made a private anon pte writable.
 */
public final class Mprotect {
    private final MmCore core;
    private final Tracer trace;
    private final PageFrames frames;

    private final MmuNotifiers notifiers;

    public Mprotect(MmCore core, MmuNotifiers notifiers) {
        this.notifiers = notifiers;
        this.core = core;
        this.trace = core.trace();
        this.frames = core.frames();
    }

    /** {@code mprotect(start, len, prot)} as a call: {@code mmap_write_lock}, {@link #mprotect}, unlock. */
    public KernelCall<Void> call(Mm mm, long start, long len, int prot) {
        return new Syscall<Void>(trace, core.footprint(), "mprotect", () -> mm.mmapLock().write().blocked(), c -> {
            mm.mmapLock().downWrite();
            try {
                return mprotect(mm, start, len, prot);
            } finally {
                mm.mmapLock().upWrite();
            }
        }).confined();
    }

    /**
     * {@code do_mprotect_pkey()}.
     *
     * @return 0; -EINVAL for an unaligned start; -ENOMEM if part of the range is not mapped or the length wraps;
     *     -EACCES if a VMA may not get the new permission (VM_MAY* missing)
     */
    long mprotect(Mm mm, long start, long len, int prot) {
        trace.path("mprotect_fixup");
        if (!Page.aligned(start)) {
            return -Errno.EINVAL;
        }
        if (len == 0) {
            return 0;
        }
        long end = start + Page.align(len);
        if (len < 0 || end <= start) {
            return -Errno.ENOMEM;
        }
        if (!mm.fullyMapped(start, end)) {
            return -Errno.ENOMEM;
        }
        long newProt = VmFlags.fromProt(prot);
        List<Vma> vmas = mm.vmasIn(start, end);
        for (Vma vma : vmas) {
            long mayBits = (vma.flags() >>> 4) & (VmFlags.VM_READ | VmFlags.VM_WRITE | VmFlags.VM_EXEC);
            if ((newProt & ~mayBits) != 0) {
                return -Errno.EACCES;
            }
        }
        for (Vma vma : vmas) {
            vma.setFlags((vma.flags() & ~(VmFlags.VM_READ | VmFlags.VM_WRITE | VmFlags.VM_EXEC)) | newProt);
            changePteRange(vma);
        }
        return 0;
    }

    /**
     * {@code change_pte_range()}: apply the VMA's new protection to every present pte. {@code change_pmd_range}
     * raises MMU_NOTIFY_PROTECTION_VMA around the change once it finds a PTE table; the model raises it for the VMA
     * when the VMA has one.
     */
    private void changePteRange(Vma vma) {
        Mm mm = vma.mm();
        MmuNotifierRange range = null;
        for (long a = vma.start(); a < vma.end() && range == null; a = (a + PageTable.PMD_SIZE) & -PageTable.PMD_SIZE) {
            if (mm.pageTable().hasTable(a)) {
                range = MmuNotifierRange.of(MmuNotifierEvent.PROTECTION_VMA, mm, vma.start(), vma.end());
                notifiers.invalidateRangeStart(range);
            }
        }
        if (range == null) {
            return;
        }
        long prot = vma.pageProt();
        boolean tryWritable = vma.has(VmFlags.VM_SHARED) ? vma.wantsWritenotify()
                : core.profile().on(Switch.MPROTECT_ANON_WRITABLE) && vma.has(VmFlags.VM_WRITE);
        for (long addr = vma.start(); addr < vma.end(); addr += Page.PAGE_SIZE) {
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
        notifiers.invalidateRangeEnd(range);
    }

    /**
     * {@code can_change_pte_writable()}: not PROT_NONE and no soft-dirty tracking pending; then, in a private VMA, the
     * page must be anonymous and exclusive (a possibly shared page must take the write fault so it is copied); in a
     * shared write-notify VMA the pte must already be dirty (the filesystem has heard of it).
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
        int pfn = Memory.vmNormalPage(pte);
        return pfn >= 0 && frames.test(pfn, PageFlags.PG_ANON) && frames.test(pfn, PageFlags.PG_ANON_EXCLUSIVE);
    }
}
