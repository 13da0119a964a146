package org.mmsim.drivers.gpu;

import org.mmsim.kernel.locking.Acquire;
import org.mmsim.kernel.mm.VmFault;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateHasher;

/**
 * The rest of {@code ttm_bo_vm_fault} after it slept, as a {@link VmFault.Resume}. Two kinds:
 *
 * <pre>
 *   RESERVE  ttm_bo_vm_reserve found the reservation held: with FAULT_FLAG_ALLOW_RETRY it drops mmap_lock, waits for
 *            bo-&gt;base.resv (dma_resv_lock, dma_resv_unlock) and returns VM_FAULT_RETRY: the access faults again,
 *            with mmap_lock, and finds the BO as it is then (the VMA may be gone). The kernel's second attempt
 *            (FAULT_FLAG_TRIED) would wait with mmap_lock held if the reservation were taken again; the model drops
 *            it on every attempt
 *   INSERT   the pfns looked up before the sleep: vmf_insert_pfn_prot(pfn, WC for VRAM) of the faulting page and up
 *            to 15 after it in the VMA (TTM_BO_VM_NUM_PREFAULT); unreserve if reserved
 * </pre>
 *
 * An INSERT of a {@link Bo#nolock} BO holds no reservation: the pfn it carries may belong to frames the BO has left by
 * the time it runs (the broken driver).
 */
final class GpuFaultResume implements VmFault.Resume {
    /** {@code TTM_BO_VM_NUM_PREFAULT}: the pages one fault maps. */
    static final int NUM_PREFAULT = 16;
    private final GpuDriver driver;
    private final Bo bo;
    private final long page;
    private final boolean insert;
    /** For INSERT: the pfn and the protection looked up before the sleep, and whether the reservation is held. */
    private final int pfn;
    private final int placement;
    private final boolean reserved;

    private GpuFaultResume(GpuDriver driver, Bo bo, long page, boolean insert, int pfn, int placement,
            boolean reserved) {
        this.driver = driver;
        this.bo = bo;
        this.page = page;
        this.insert = insert;
        this.pfn = pfn;
        this.placement = placement;
        this.reserved = reserved;
    }

    /** After the lookup of page {@code page} of {@code bo} (its reservation held if {@code reserved}). */
    static GpuFaultResume insert(GpuDriver driver, Bo bo, long page, boolean reserved) {
        driver.kernel().tracePath("ttm_bo_vm_fault_reserved");
        return new GpuFaultResume(driver, bo, page, true, bo.pfn(page), bo.placement, reserved);
    }

    /** Waiting for {@code bo}'s reservation, which a move holds. */
    static GpuFaultResume reserve(GpuDriver driver, Bo bo, long page) {
        return new GpuFaultResume(driver, bo, page, false, -1, -1, false);
    }

    @Override
    public Acquire blockedOn() {
        return insert ? null : bo.resv.acquire().blocked();
    }

    /** The reservation wait drops {@code mmap_lock} (ttm_bo_vm_reserve's retry path); the insert keeps it. */
    @Override
    public boolean dropsMmapLock() {
        return !insert;
    }

    @Override
    public int resume(VmFault vmf) {
        if (!insert) {
            driver.kernel().tracePath("ttm_bo_vm_reserve: dma_resv_lock, dma_resv_unlock, VM_FAULT_RETRY");
            return VmFault.VM_FAULT_NOPAGE;
        }
        // ttm_bo_vm_fault_reserved(vmf, prot, TTM_BO_VM_NUM_PREFAULT): the faulting page and up to 15 more after it,
        // to the end of the VMA, each vmf_insert_pfn_prot (a pte already there is left as it is); an error on the
        // first is the fault's, on a later one it stops the loop
        long prot = GpuDriver.prot(placement, vmf.vma());
        long pageLast = ((vmf.vma().end() - vmf.vma().start()) >>> 12) + vmf.vma().pgoff() - bo.pgoff;
        int ret = VmFault.VM_FAULT_NOPAGE;
        long address = vmf.address();
        for (int i = 0; i < NUM_PREFAULT && page + i < pageLast; i++, address += 4096) {
            int r = driver.kernel().vmfInsertPfnProt(vmf.vma(), address, pfn + i, prot);
            if ((r & VmFault.VM_FAULT_ERROR) != 0) {
                if (i == 0) {
                    ret = r;
                }
                break;
            }
        }
        if (reserved) {
            bo.resv.unlock();
        }
        return ret;
    }

    @Override
    public void hashInto(StateHasher h) {
        h.add(bo.id).add(page).add(insert).add(pfn).add(placement).add(reserved);
    }

    @Override
    public GpuFaultResume copy(Copier c) {
        return c.pair(this, new GpuFaultResume(c.copy(driver), c.copy(bo), page, insert, pfn, placement, reserved));
    }
}
