package org.mmsim.kernel.mm.hmm;

import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.MmCore;
import org.mmsim.kernel.mm.VmFault;
import org.mmsim.kernel.mm.VmFlags;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.mm.memory.Memory;
import org.mmsim.kernel.mm.notifier.MmuNotifiers;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.mm.page.PageAlloc;
import org.mmsim.kernel.mm.pgtable.Pte;
import org.mmsim.kernel.trace.Tracer;
import org.mmsim.kernel.uapi.Errno;

/**
 * mm/hmm.c: {@code hmm_range_fault}, the way a device that mirrors a process's address space through an interval
 * notifier reads the CPU's page tables. It takes no page references or pins: what it returns is valid only until the
 * notifier's next invalidation, which the driver learns with {@code mmu_interval_read_retry} under its own lock.
 *
 * <pre>
 *   do {
 *       if mmu_interval_check_retry(notifier, range->notifier_seq): return -EBUSY   (the caller starts again)
 *       walk [last, end): a present pte that satisfies the request: its PFN, VALID (and WRITE);
 *                         not present, or read-only when REQ_WRITE asks for write: handle_mm_fault(), then -EBUSY
 *                         with last = this page, so the walk restarts there;
 *                         a VM_IO/VM_PFNMAP VMA or no VMA: -EFAULT if a fault was asked for, else ERROR;
 *                         an empty pte inside a VMA: 0 (not present, could be faulted)
 *   } while (-EBUSY from a fault)
 * </pre>
 *
 * The caller holds {@code mmap_lock} for read. The model runs the whole loop in the step that calls it; threads that
 * need {@code mmap_lock} for write wait anyway, and the races the notifier protocol is about lie before and after it.
 */
public final class Hmm {
    private final Tracer trace;
    private final Memory memory;
    private final MmuNotifiers notifiers;

    public Hmm(MmCore core, Memory memory, MmuNotifiers notifiers) {
        this.trace = core.trace();
        this.memory = memory;
        this.notifiers = notifiers;
    }

    /**
     * {@code hmm_range_fault()}.
     *
     * @return 0 with every entry filled; -EBUSY if the notifier's sequence moved (start again from
     *     {@code mmu_interval_read_begin}); -EFAULT for a fault asked for where no page can be (a hole, VM_IO or
     *     VM_PFNMAP, a fault that failed); -EPERM for a write asked for in a VMA without VM_WRITE
     */
    public int rangeFault(HmmRange range) {
        trace.path("hmm_range_fault");
        Mm mm = range.notifier().mm();
        long last = range.start();
        int again = 0;
        while (true) {
            if (notifiers.readRetry(range.notifier(), range.notifierSeq())) {
                return -Errno.EBUSY;
            }
            long r = walk(mm, range, last);
            if (r >= 0) {
                // a fault that left the page as it was would make the kernel spin; the model stops it
                again = r == last ? again + 1 : 0;
                if (again > 2) {
                    return -Errno.EFAULT;
                }
                last = r;
                continue;
            }
            return r == DONE ? 0 : (int) r;
        }
    }

    private static final long DONE = Long.MIN_VALUE;

    /**
     * {@code walk_page_range} with {@code hmm_walk_ops} from {@code from}: DONE, an address to restart from after a
     * fault (-EBUSY in the kernel), or -errno.
     */
    private long walk(Mm mm, HmmRange range, long from) {
        for (long addr = from; addr < range.end(); addr += Page.PAGE_SIZE) {
            int i = (int) ((addr - range.start()) >>> Page.PAGE_SHIFT);
            long required = (range.defaultFlags() | range.pfn(i)) & (HmmRange.REQ_FAULT | HmmRange.REQ_WRITE);
            boolean fault = (required & HmmRange.REQ_FAULT) != 0;
            boolean write = (required & HmmRange.REQ_WRITE) != 0;
            Vma vma = mm.vmaAt(addr);
            if (vma == null) {
                // hmm_vma_walk_hole with no VMA: "if (!walk->vma) ... return hmm_pfns_fill(..., HMM_PFN_ERROR)"
                if (fault) {
                    return -Errno.EFAULT;
                }
                range.setPfn(i, HmmRange.ERROR);
                continue;
            }
            if (vma.has(VmFlags.VM_IO | VmFlags.VM_PFNMAP) || !vma.has(VmFlags.VM_READ)) {
                if (fault) {
                    return -Errno.EFAULT;
                }
                range.setPfn(i, HmmRange.ERROR);
                continue;
            }
            long pte = mm.pte(addr);
            if (Pte.present(pte) && (!write || Pte.write(pte))) {
                int pfn = Pte.pfn(pte);
                if (Memory.vmNormalPage(pte) < 0 && pfn != PageAlloc.ZERO_PFN) {
                    if (fault) {
                        return -Errno.EFAULT;
                    }
                    range.setPfn(i, HmmRange.ERROR);
                    continue;
                }
                range.setPfn(i, pfn | HmmRange.VALID | (Pte.write(pte) ? HmmRange.WRITE : 0));
                continue;
            }
            if (!fault) {
                range.setPfn(i, 0);
                continue;
            }
            if (write && !vma.has(VmFlags.VM_WRITE)) {
                return -Errno.EPERM;
            }
            trace.path("hmm_vma_fault");
            int ret = memory.handleMmFault(vma, addr, write ? VmFault.FAULT_FLAG_WRITE : 0);
            if ((ret & VmFault.VM_FAULT_ERROR) != 0) {
                return -Errno.EFAULT;
            }
            return addr;
        }
        return DONE;
    }
}
