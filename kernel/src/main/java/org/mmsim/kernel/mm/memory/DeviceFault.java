package org.mmsim.kernel.mm.memory;

import org.mmsim.kernel.mm.AddressSpace;
import org.mmsim.kernel.mm.AddressSpaceOperations;
import org.mmsim.kernel.mm.MmCore;
import org.mmsim.kernel.mm.VmFault;
import org.mmsim.kernel.mm.VmOperations;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.mm.page.PageAlloc;
import org.mmsim.kernel.mm.pgtable.Pte;
import org.mmsim.kernel.mm.rmap.Rmap;
import org.mmsim.kernel.profile.DriverFault;
import org.mmsim.kernel.trace.Tracer;

/**
 * The fault handlers of mappings whose owner supplies the memory (drivers), across history: {@code do_no_page}
 * with {@code ->nopage} (up to 2.6.22), {@code do_no_pfn} with {@code ->nopfn} (2.6.19 to 2.6.26), and the points
 * where a {@code ->fault} handler sleeps ({@link VmFault#pause}).
 *
 * <pre>
 *   do_no_page (2.6.19 mm/memory.c)                   do_no_pfn (2.6.19)
 *     sequence = mapping-&gt;truncate_count               pfn = vma-&gt;vm_ops-&gt;nopfn(vma, address)
 *     page = vma-&gt;vm_ops-&gt;nopage(vma, address, &amp;type)   NOPFN_SIGBUS/OOM: fail; NOPFN_REFAULT: minor fault
 *     NOPAGE_SIGBUS/OOM: fail; NOPAGE_REFAULT: minor     ← another thread may run here (unmap_mapping_range)
 *     ← another thread may run here                     pte lock; if pte_none: set_pte_at(pfn_pte(pfn)) [special]
 *     pte lock; if sequence != truncate_count:
 *         page_cache_release(page); goto retry           (no truncate_count recheck: a PFN looked up before an
 *     if pte_none: set_pte_at(mk_pte(page)), rmap         unmap of the object is mapped after it — seed 000)
 *     else page_cache_release(page)
 * </pre>
 *
 * A user access stops at the marked point ({@link #pausable}); a fault taken from GUP or {@code hmm_range_fault}
 * runs straight through. The handler's page reference becomes the pte's.
 */
public final class DeviceFault {
    /** An internal {@code VM_FAULT_*} bit: the fault stopped at a point; {@link #takePause} has it. */
    public static final int VM_FAULT_PAUSED = 0x10000;

    private final MmCore core;
    private final Tracer trace;
    private final PageAlloc alloc;
    private final Rmap rmap;
    /** Set for the one step of a user access that may stop (it takes {@link #paused}); never between steps. */
    private boolean pausable;
    private FaultPause paused;

    DeviceFault(MmCore core, Rmap rmap) {
        this.core = core;
        this.trace = core.trace();
        this.alloc = core.alloc();
        this.rmap = rmap;
    }

    /** Let faults of the coming user access stop at the point between handler and pte (or not). */
    void pausable(boolean on) {
        pausable = on;
    }

    /** Stop the fault at {@code p} if the access lets it ({@link #pausable}): true if it stopped. */
    boolean pause(FaultPause p) {
        if (!pausable) {
            return false;
        }
        paused = p;
        return true;
    }

    /** The fault that stopped during the access, or null; clears it. */
    FaultPause takePause() {
        FaultPause p = paused;
        paused = null;
        return p;
    }

    /** Whether the fault path calls {@code ->nopage} or {@code ->nopfn} for this VMA rather than {@code ->fault}. */
    boolean legacy(VmOperations ops) {
        DriverFault df = core.profile().driverFault();
        return df == DriverFault.NOPFN && ops.hasNopfn() || df != DriverFault.FAULT && ops.hasNopage();
    }

    /**
     * A fault that calls into the owner of a device mapping touches the driver's state: the explorer must treat the
     * step as touching anything.
     */
    void touchesDriver(Vma vma) {
        AddressSpace m = vma.mapping();
        if (m == null || m.aops() == AddressSpaceOperations.NONE) {
            core.footprint().global();
        }
    }

    /** {@code do_no_pfn} or {@code do_no_page}, as {@link #legacy} chose. */
    int handle(Vma vma, long addr, int flags) {
        touchesDriver(vma);
        VmOperations ops = vma.vmOps();
        if (core.profile().driverFault() == DriverFault.NOPFN && ops.hasNopfn()) {
            return doNoPfn(vma, addr, flags);
        }
        return doNoPage(vma, addr, flags);
    }

    private int doNoPage(Vma vma, long addr, int flags) {
        trace.path("do_no_page");
        AddressSpace mapping = vma.mapping();
        long sequence = mapping == null ? 0 : mapping.truncateCount();
        long page = vma.vmOps().nopage(vma, addr & -Page.PAGE_SIZE);
        if (page == VmFault.NOPAGE_SIGBUS) {
            return VmFault.VM_FAULT_SIGBUS;
        }
        if (page == VmFault.NOPAGE_OOM) {
            return VmFault.VM_FAULT_OOM;
        }
        if (page == VmFault.NOPAGE_REFAULT) {
            return 0;
        }
        return pauseOr(new FaultPause(FaultPause.Kind.NOPAGE, vma, addr, flags, page, sequence, null));
    }

    private int doNoPfn(Vma vma, long addr, int flags) {
        trace.path("do_no_pfn");
        long pfn = vma.vmOps().nopfn(vma, addr & -Page.PAGE_SIZE);
        if (pfn == VmFault.NOPFN_SIGBUS) {
            return VmFault.VM_FAULT_SIGBUS;
        }
        if (pfn == VmFault.NOPFN_OOM) {
            return VmFault.VM_FAULT_OOM;
        }
        if (pfn == VmFault.NOPFN_REFAULT) {
            return 0;
        }
        return pauseOr(new FaultPause(FaultPause.Kind.NOPFN, vma, addr, flags, pfn, 0, null));
    }

    /** A {@code ->fault} handler returned having {@link VmFault#pause}d: stop, or (not a user access) go on now. */
    int handlerPaused(VmFault vmf, VmFault.Resume r, int ret) {
        VmFault.Resume next = r;
        int result = ret;
        while (next != null) {
            if (pausable) {
                paused = new FaultPause(FaultPause.Kind.HANDLER, vmf.vma(), vmf.address(), vmf.flags(), 0, 0, next);
                return VM_FAULT_PAUSED;
            }
            VmFault again = new VmFault(vmf.vma(), vmf.address(), vmf.flags());
            result = next.resume(again);
            next = again.takeResume();
        }
        return result;
    }

    private int pauseOr(FaultPause p) {
        if (pausable) {
            paused = p;
            return VM_FAULT_PAUSED;
        }
        return finish(p);
    }

    /** The resumed half of a stopped fault: map what the handler found (or its continuation runs). */
    int finish(FaultPause p) {
        Vma vma = p.vma;
        touchesDriver(vma);
        long addr = p.addr & -Page.PAGE_SIZE;
        boolean write = (p.flags & VmFault.FAULT_FLAG_WRITE) != 0;
        switch (p.kind) {
            case HANDLER -> {
                VmFault vmf = new VmFault(vma, addr, p.flags);
                int ret = p.resume.resume(vmf);
                VmFault.Resume next = vmf.takeResume();
                return next == null ? ret & ~VmFault.VM_FAULT_NOPAGE : handlerPaused(vmf, next, ret);
            }
            case NOPFN -> {
                vma.mm().ptl().lock();
                if (vma.mm().pte(addr) == 0) {
                    long entry = Pte.mkSpecial(Pte.mkYoung(Pte.make((int) p.pfn, vma.pageProt())));
                    if (write) {
                        entry = Memory.maybeMkWrite(Pte.mkDirty(entry), vma);
                    }
                    vma.mm().setPte(addr, entry);
                }
                vma.mm().ptl().unlock();
                return 0;
            }
            default -> {
                vma.mm().ptl().lock();
                AddressSpace mapping = vma.mapping();
                int pfn = (int) p.pfn;
                if (mapping != null && p.sequence != mapping.truncateCount()) {
                    trace.path("do_no_page: truncate_count moved, retry");
                    vma.mm().ptl().unlock();
                    alloc.putPage(pfn);
                    return 0;
                }
                if (vma.mm().pte(addr) == 0) {
                    long entry = Pte.mkYoung(Pte.make(pfn, vma.pageProt()));
                    if (write) {
                        entry = Memory.maybeMkWrite(Pte.mkDirty(entry), vma);
                    }
                    rmap.pageAddFileRmap(pfn);
                    vma.mm().addRssFile(false, 1);
                    vma.mm().setPte(addr, entry);
                } else {
                    alloc.putPage(pfn);
                }
                vma.mm().ptl().unlock();
                return 0;
            }
        }
    }
}
