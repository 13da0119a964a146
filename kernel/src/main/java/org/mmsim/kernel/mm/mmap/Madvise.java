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
import org.mmsim.kernel.mm.memory.Zap;
import org.mmsim.kernel.mm.notifier.MmuNotifierEvent;
import org.mmsim.kernel.mm.notifier.MmuNotifierRange;
import org.mmsim.kernel.mm.notifier.MmuNotifiers;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.mm.page.PageAlloc;
import org.mmsim.kernel.mm.page.PageFlags;
import org.mmsim.kernel.mm.page.PageFrames;
import org.mmsim.kernel.mm.pgtable.Pte;
import org.mmsim.kernel.sched.KernelCall;
import org.mmsim.kernel.profile.KernelProfile;
import org.mmsim.kernel.profile.Switch;
import org.mmsim.kernel.trace.Tracer;
import org.mmsim.kernel.uapi.Errno;
import org.mmsim.kernel.uapi.Mman;

/**
 * {@code madvise()} (mm/madvise.c) for MADV_DONTNEED, MADV_FREE, MADV_DONTFORK, MADV_DOFORK, MADV_WIPEONFORK,
 * MADV_KEEPONFORK, MADV_POPULATE_READ and MADV_POPULATE_WRITE. Every advice runs as a {@link MadviseCall}:
 * MADV_DONTNEED under {@code mmap_lock} for read, zapping pte by pte; MADV_FREE and MADV_POPULATE_* under
 * {@code mmap_lock} for read ({@code madvise_need_mmap_write()} is false for them) in one step; the VMA-flag advices
 * under {@code mmap_lock} for write, in one step, here.
 *
 * <p>MADV_FREE came in 4.5, MADV_WIPEONFORK/KEEPONFORK in 4.14 and MADV_POPULATE_* in 5.14: before, their switches
 * are off and {@code madvise_behavior_valid} says -EINVAL.
 */
public final class Madvise {
    final MmCore core;
    final Tracer trace;
    final Zap zap;
    final MmuNotifiers notifiers;
    private final Gup gup;
    private final PageFrames frames;

    public Madvise(MmCore core, Zap zap, MmuNotifiers notifiers, Gup gup) {
        this.notifiers = notifiers;
        this.gup = gup;
        this.frames = core.frames();
        this.core = core;
        this.trace = core.trace();
        this.zap = zap;
    }

    /** {@code madvise(start, len, advice)} as a call (see {@link MadviseCall}). */
    public KernelCall<Void> call(Mm mm, long start, long len, int advice) {
        return new MadviseCall(this, mm, start, len, advice);
    }

    /** The argument checks of {@code do_madvise()}: 1 to go on, else what to return (0 or -EINVAL). */
    static long validate(KernelProfile profile, long start, long len, int advice) {
        if (!Page.aligned(start) || !behaviorValid(profile, advice)) {
            return -Errno.EINVAL;
        }
        if (len == 0) {
            return 0;
        }
        long end = start + Page.align(len);
        return len < 0 || end < start ? -Errno.EINVAL : 1;
    }

    /**
     * {@code madvise_behavior_valid()}: the advices the model has, each only in the kernels that have it (MADV_FREE
     * 4.5, MADV_WIPEONFORK/KEEPONFORK 4.14, MADV_POPULATE_* 5.14: their switches).
     */
    static boolean behaviorValid(KernelProfile profile, int advice) {
        return switch (advice) {
            case Mman.MADV_DONTNEED, Mman.MADV_DONTFORK, Mman.MADV_DOFORK -> true;
            case Mman.MADV_FREE -> profile.on(Switch.MADV_FREE);
            case Mman.MADV_WIPEONFORK, Mman.MADV_KEEPONFORK -> profile.on(Switch.MADV_WIPEONFORK);
            case Mman.MADV_POPULATE_READ, Mman.MADV_POPULATE_WRITE -> profile.on(Switch.MADV_POPULATE);
            default -> false;
        };
    }

    /**
     * {@code madvise_need_mmap_write()}: does the advice change VMAs (write lock) or only look at them (read)? Before
     * 2.6.22 ({@link Switch#MADVISE_DONTNEED_READ_LOCK} off) {@code sys_madvise} took {@code mmap_sem} for write for
     * every advice.
     */
    static boolean needMmapWrite(KernelProfile profile, int advice) {
        return switch (advice) {
            case Mman.MADV_DONTNEED -> !profile.on(Switch.MADVISE_DONTNEED_READ_LOCK);
            case Mman.MADV_FREE, Mman.MADV_POPULATE_READ, Mman.MADV_POPULATE_WRITE -> false;
            default -> true;
        };
    }

    /**
     * {@code do_madvise()} for the advices that set VMA flags ({@code madvise_walk_vmas} →
     * {@code madvise_vma_behavior} → {@code madvise_update_vma}), VMA by VMA: MADV_DONTFORK/DOFORK (VM_DONTCOPY), MADV_WIPEONFORK/KEEPONFORK
     * (VM_WIPEONFORK, which {@code dup_mmap} honours: the child's VMA starts empty). A VMA whose flags would not change
     * is left whole; any other is split at the edges of the range ({@code vma_modify_flags}), takes the new flags and
     * merges with its neighbours where it may ({@link VmaMerge}). The caller holds {@code mmap_lock} for write.
     *
     * @return 0; -EINVAL for an unaligned start, a length that wraps, an unknown advice, DOFORK on VM_IO, or
     *     WIPEONFORK on a file or shared mapping (shmem included: "only supported on anonymous memory"), the VMAs
     *     before it keeping their change; -EAGAIN when a split would pass {@code sysctl_max_map_count}
     *     ({@code split_vma}'s -ENOMEM, which {@code madvise_vma_behavior} reports as "kernel resources temporarily
     *     unavailable"), the VMAs before it keeping their change; -ENOMEM if part of the range is unmapped (the mapped
     *     parts are still advised, as in the kernel)
     */
    long adviseVmaFlags(Mm mm, long start, long len, int advice) {
        trace.path("do_madvise");
        long v = validate(core.profile(), start, len, advice);
        if (v != 1) {
            return v;
        }
        long end = start + Page.align(len);
        boolean holes = !mm.fullyMapped(start, end);
        for (Vma vma : mm.vmasOverlapping(start, end)) {
            long newFlags;
            if (advice == Mman.MADV_DONTFORK) {
                newFlags = vma.flags() | VmFlags.VM_DONTCOPY;
            } else if (advice == Mman.MADV_WIPEONFORK) {
                if (vma.file() != null || vma.has(VmFlags.VM_SHARED)) {
                    return -Errno.EINVAL;
                }
                newFlags = vma.flags() | VmFlags.VM_WIPEONFORK;
            } else if (advice == Mman.MADV_KEEPONFORK) {
                newFlags = vma.flags() & ~VmFlags.VM_WIPEONFORK;
            } else {
                if (vma.has(VmFlags.VM_IO)) {
                    return -Errno.EINVAL;
                }
                newFlags = vma.flags() & ~VmFlags.VM_DONTCOPY;
            }
            if (newFlags == vma.flags()) {
                continue;
            }
            long s = Math.max(start, vma.start());
            long e = Math.min(end, vma.end());
            for (long at : new long[] {s, e}) {
                Vma holder = mm.vmaAt(at);
                if (holder != null && holder.start() < at) {
                    if (mm.mapCount() >= Mm.MAX_MAP_COUNT) {
                        return -Errno.EAGAIN;
                    }
                    mm.splitAt(at);
                }
            }
            Vma changed = mm.vmaAt(s);
            changed.setFlags(newFlags);
            VmaMerge.merge(changed);
        }
        return holes ? -Errno.ENOMEM : 0;
    }

    /**
     * {@code do_madvise()} for MADV_FREE and MADV_POPULATE_READ/WRITE; the caller holds {@code mmap_lock} for read.
     *
     * @return 0, or -errno: see {@link #madviseFree} and {@link #madvisePopulate}; -ENOMEM for a hole
     */
    long adviseUnderReadLock(Mm mm, long start, long len, int advice) {
        trace.path("do_madvise");
        long v = validate(core.profile(), start, len, advice);
        if (v != 1) {
            return v;
        }
        long end = start + Page.align(len);
        if (advice == Mman.MADV_FREE) {
            return madviseFree(mm, start, end);
        }
        return madvisePopulate(mm, start, end, advice == Mman.MADV_POPULATE_WRITE);
    }

    /**
     * MADV_FREE, VMA by VMA ({@code madvise_walk_vmas} → {@code madvise_dontneed_free}):
     * {@code madvise_dontneed_free_valid_vma} refuses VM_LOCKED and VM_PFNMAP, {@code madvise_free_single_vma}
     * anything but private anonymous memory (-EINVAL, the VMAs before it done); then, inside an MMU_NOTIFY_CLEAR
     * range, {@code madvise_free_pte_range} under the PTL, for each present pte of a normal anonymous page: if the
     * page is dirty (PG_dirty; the model has no swap cache), take the page lock ({@code folio_trylock}: skip the page
     * if it is held) and skip a page mapped elsewhere too ({@code folio_mapcount() != folio_nr_pages()}, before 6.10
     * {@code page_mapcount() != 1}: its dirty flag is not this process's to clear), else clear PG_dirty; then make the
     * pte old and clean and {@code folio_mark_lazyfree} (clear PG_swapbacked). A clean page that fork left shared is
     * freed this way too: only this process's pte is cleaned, and the other mappings' dirty ptes keep reclaim from
     * discarding it ({@code try_to_unmap_one} dirties the folio from them).
     *
     * <p>What the model leaves out: the reclaim that would later discard a lazy-free page that is still clean
     * ({@code try_to_unmap_one}: not swapbacked, not dirty, no extra reference) exists only for page-cache pages here,
     * so a freed page keeps its data until the process writes it (which re-dirties the pte) or unmaps it. The
     * outcome "reclaim ran and the next load reads zero" is one the model does not produce.
     *
     * @return 0; -EINVAL as above; -ENOMEM if part of the range is unmapped (the mapped parts are still advised)
     */
    private long madviseFree(Mm mm, long start, long end) {
        boolean holes = !mm.fullyMapped(start, end);
        for (Vma vma : mm.vmasOverlapping(start, end)) {
            if (vma.has(VmFlags.VM_LOCKED | VmFlags.VM_PFNMAP) || !vma.isAnonymous() || vma.has(VmFlags.VM_SHARED)) {
                return -Errno.EINVAL;
            }
            trace.path("madvise_free_single_vma");
            long s = Math.max(start, vma.start());
            long e = Math.min(end, vma.end());
            MmuNotifierRange range = MmuNotifierRange.of(MmuNotifierEvent.CLEAR, mm, s, e);
            notifiers.invalidateRangeStart(range);
            mm.ptl().lock();
            try {
                for (long addr = s; addr < e; addr += Page.PAGE_SIZE) {
                    long pte = mm.pte(addr);
                    if (!Pte.present(pte)) {
                        continue;
                    }
                    int pfn = Memory.vmNormalPage(pte);
                    if (pfn < 0 || pfn == PageAlloc.ZERO_PFN || !frames.test(pfn, PageFlags.PG_ANON)) {
                        continue;
                    }
                    if (frames.test(pfn, PageFlags.PG_DIRTY)) {
                        if (frames.test(pfn, PageFlags.PG_LOCKED) || frames.mapcount(pfn) != 1) {
                            continue; // folio_trylock failed, or the page is mapped elsewhere too
                        }
                        frames.clear(pfn, PageFlags.PG_DIRTY);
                    }
                    if (Pte.young(pte) || Pte.dirty(pte)) {
                        mm.setPte(addr, Pte.mkClean(Pte.mkOld(pte)));
                    }
                    frames.clear(pfn, PageFlags.PG_SWAPBACKED); // folio_mark_lazyfree
                }
            } finally {
                mm.ptl().unlock();
            }
            notifiers.invalidateRangeEnd(range);
        }
        return holes ? -Errno.ENOMEM : 0;
    }

    /**
     * MADV_POPULATE_READ/WRITE ({@code madvise_populate} → {@code faultin_page_range}, 5.14): fault the range in, as
     * a read or a write fault (no FOLL_FORCE), from the start until a problem: a hole is -ENOMEM; a VMA GUP may not
     * touch this way ({@code check_vma_flags}: VM_IO or VM_PFNMAP, no VM_READ for a read, no VM_WRITE for a write) is
     * -EINVAL ("incompatible mappings / permissions"); a fault that fails (VM_FAULT_SIGBUS/SIGSEGV) is -EFAULT. The
     * pages before the problem stay populated.
     */
    private long madvisePopulate(Mm mm, long start, long end, boolean write) {
        trace.path("madvise_populate");
        long addr = start;
        for (Vma vma : mm.vmasOverlapping(start, end)) {
            if (vma.start() > addr) {
                return -Errno.ENOMEM;
            }
            if (vma.has(VmFlags.VM_IO | VmFlags.VM_PFNMAP)
                    || !vma.has(write ? VmFlags.VM_WRITE : VmFlags.VM_READ)) {
                return -Errno.EINVAL;
            }
            long e = Math.min(end, vma.end());
            long r = gup.populate(mm, addr, Mm.pages(addr, e), Foll.FOLL_TOUCH | (write ? Foll.FOLL_WRITE : 0));
            if (r < 0) {
                return r == -Errno.ENOMEM ? -Errno.ENOMEM : -Errno.EFAULT;
            }
            addr = e;
        }
        return addr < end ? -Errno.ENOMEM : 0;
    }
}
