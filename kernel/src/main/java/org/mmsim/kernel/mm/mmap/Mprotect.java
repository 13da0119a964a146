package org.mmsim.kernel.mm.mmap;

import java.util.List;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.MmCore;
import org.mmsim.kernel.mm.VmFlags;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.mm.VmaMerge;
import org.mmsim.kernel.mm.gup.Foll;
import org.mmsim.kernel.mm.gup.Gup;
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
import org.mmsim.kernel.uapi.Mman;

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
    private final Gup gup;

    public Mprotect(MmCore core, MmuNotifiers notifiers, Gup gup) {
        this.gup = gup;
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
     * {@code do_mprotect_pkey()} (pkey -1), in the kernel's order of checks: PROT_GROWSDOWN with PROT_GROWSUP, then an
     * unaligned start (-EINVAL); a zero length (0); a length whose page-aligned end wraps (-ENOMEM);
     * {@code arch_validate_prot} (-EINVAL for bits beyond PROT_READ|WRITE|EXEC|SEM); then, under {@code mmap_lock},
     * {@code vma_find(start, end)}: no VMA, or one that starts above {@code start}, is -ENOMEM with nothing changed
     * (and a PROT_GROWS* request on a VMA without VM_GROWS*, which the model never creates, -EINVAL).
     *
     * <p>Then the kernel walks the VMAs in order and applies {@code mprotect_fixup} to each one before it looks at the
     * next: a gap before a VMA is -ENOMEM, a VMA whose VM_MAY* bits forbid the protection ({@code newflags &
     * ~(newflags >> 4)}) -EACCES, and the range running past the last VMA -ENOMEM after all of them changed. The VMAs
     * before the failing one keep their new protection (the first split at {@code start}); the failing one is left
     * alone, unsplit. The selftest {@code mprotect} ports found this; the model was all-or-nothing before.
     *
     * @return 0; -EINVAL; -ENOMEM (unmapped part, wrapping length, a split past {@code Mm.MAX_MAP_COUNT}); -EACCES
     */
    long mprotect(Mm mm, long start, long len, int prot) {
        trace.path("mprotect_fixup");
        int grows = prot & (Mman.PROT_GROWSDOWN | Mman.PROT_GROWSUP);
        prot &= ~(Mman.PROT_GROWSDOWN | Mman.PROT_GROWSUP);
        if (grows == (Mman.PROT_GROWSDOWN | Mman.PROT_GROWSUP)) {
            return -Errno.EINVAL;
        }
        if (!Page.aligned(start)) {
            return -Errno.EINVAL;
        }
        if (len == 0) {
            return 0;
        }
        long end = start + Page.align(len);
        if (Long.compareUnsigned(end, start) <= 0) {
            return -Errno.ENOMEM;
        }
        if ((prot & ~(Mman.PROT_READ | Mman.PROT_WRITE | Mman.PROT_EXEC | Mman.PROT_SEM)) != 0) {
            return -Errno.EINVAL; // arch_validate_prot
        }
        List<Vma> vmas = mm.vmasOverlapping(start, end); // vma_find(), then for_each_vma_range()
        if (vmas.isEmpty()) {
            return -Errno.ENOMEM;
        }
        Vma first = vmas.get(0);
        if (grows != 0 && first.start() < end) {
            return -Errno.EINVAL; // no VM_GROWSDOWN/VM_GROWSUP VMA in the model
        }
        if (first.start() > start) {
            return -Errno.ENOMEM;
        }
        long access = VmFlags.VM_READ | VmFlags.VM_WRITE | VmFlags.VM_EXEC;
        long newProt = VmFlags.fromProt(prot);
        long nstart = start;
        long tmp = first.start();
        long error = 0;
        for (Vma vma : vmas) {
            if (vma.start() != tmp) {
                error = -Errno.ENOMEM;
                break;
            }
            long newFlags = (vma.flags() & ~access) | newProt;
            if ((newFlags & ~(newFlags >>> 4) & access) != 0) {
                error = -Errno.EACCES;
                break;
            }
            tmp = Math.min(vma.end(), end);
            if (!mprotectFixup(mm, vma, nstart, tmp, newFlags)) {
                error = -Errno.ENOMEM; // split_vma: map_count at sysctl_max_map_count
                break;
            }
            nstart = tmp;
        }
        if (error == 0 && tmp < end) {
            error = -Errno.ENOMEM;
        }
        return error;
    }

    /**
     * {@code mprotect_fixup()} of [start, end) inside {@code vma}: nothing (not even a split) if the flags do not
     * change; else {@code vma_modify_flags} splits the VMA at the range's edges, the flags are set,
     * {@code change_protection} rewrites the ptes, and the range merges with its neighbours where it may
     * ({@link VmaMerge}). A private VM_LOCKED VMA made writable is then faulted
     * in for writing ({@code populate_vma_page_range}: "Private VM_LOCKED VMA becoming writable: trigger COW to avoid
     * major fault on access"; {@link Switch#MPROTECT_MLOCKED_POPULATE}), its result ignored as the kernel ignores it.
     * A private mapping made writable is charged to the commit: VM_ACCOUNT (the charge itself is not modelled); from
     * 6.7 an anonymous VMA never faulted that is made read-only loses it ({@link Switch#MPROTECT_UNACCOUNT}).
     */
    private boolean mprotectFixup(Mm mm, Vma vma, long start, long end, long newFlags) {
        long oldFlags = vma.flags();
        if (oldFlags == newFlags) {
            return true;
        }
        if ((newFlags & VmFlags.VM_WRITE) != 0 && (oldFlags & (VmFlags.VM_ACCOUNT | VmFlags.VM_WRITE
                | VmFlags.VM_HUGETLB | VmFlags.VM_SHARED | VmFlags.VM_NORESERVE)) == 0) {
            newFlags |= VmFlags.VM_ACCOUNT;
        } else if ((newFlags & VmFlags.VM_WRITE) == 0 && (oldFlags & VmFlags.VM_ACCOUNT) != 0 && vma.isAnonymous()
                && vma.anonVma() == null && core.profile().on(Switch.MPROTECT_UNACCOUNT)) {
            newFlags &= ~VmFlags.VM_ACCOUNT; // "except in the anonymous case where no anon_vma has yet to be assigned"
        }
        List<Vma> split = mm.vmasIn(start, end);
        if (split == null) {
            return false;
        }
        for (Vma v : split) {
            v.setFlags(newFlags);
            changePteRange(v);
            VmaMerge.merge(v);
        }
        if (core.profile().on(Switch.MPROTECT_MLOCKED_POPULATE)
                && (oldFlags & (VmFlags.VM_WRITE | VmFlags.VM_SHARED | VmFlags.VM_LOCKED_MASK)) == VmFlags.VM_LOCKED
                && (newFlags & VmFlags.VM_WRITE) != 0) {
            trace.path("populate_vma_page_range");
            gup.populate(mm, start, Mm.pages(start, end), Foll.FOLL_TOUCH | Foll.FOLL_WRITE);
        }
        return true;
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
        for (long addr = mm.pageTable().nextNonNone(vma.start(), vma.end()); addr < vma.end();
                addr = mm.pageTable().nextNonNone(addr + Page.PAGE_SIZE, vma.end())) {
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
