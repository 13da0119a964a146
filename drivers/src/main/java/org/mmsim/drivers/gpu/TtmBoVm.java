package org.mmsim.drivers.gpu;

import org.mmsim.kernel.mm.VmFault;
import org.mmsim.kernel.mm.VmOperations;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.profile.Switch;
import org.mmsim.kernel.state.Copier;

/**
 * The CPU side of a BO mapping (drivers/gpu/drm/ttm/ttm_bo_vm.c): {@code ttm_bo_vm_ops}, whose handlers follow the
 * kernel's three fault interfaces ({@code ->fault}, and 2.6.19's {@code ->nopfn} and {@code ->nopage}) and
 * {@code ->access}, and the same operations with {@code generic_access_phys} for a BO made with
 * {@link GpuDriver#GPU_CREATE_GENERIC_ACCESS}. Stateless: the BOs and their reservations are the driver's
 * ({@link GpuDriver}); a copied driver pairs its tables with the original's ({@link #pairWith}).
 */
final class TtmBoVm {
    private final GpuDriver driver;

    /** {@code ttm_bo_vm_ops}. */
    private final VmOperations ops = new BoVmOps();

    /**
     * The same operations with {@code ->access} = {@code generic_access_phys} (a BO made with GENERIC_ACCESS): the core
     * reads through the physical address and never calls {@link BoVmOps#access}.
     */
    private final VmOperations genericAccessOps = new BoVmOps() {
        @Override
        public String name() {
            return "gpu_vm_ops_generic_access";
        }

        @Override
        public boolean hasAccess() {
            return true;
        }

        @Override
        public boolean accessIsGenericAccessPhys() {
            return true;
        }
    };

    TtmBoVm(GpuDriver driver) {
        this.driver = driver;
    }

    /** {@code ttm_bo_vm_ops}'s handlers. */
    private class BoVmOps implements VmOperations {
        @Override
        public String name() {
            return "ttm_bo_vm_ops";
        }

        /**
         * {@code ttm_bo_vm_fault} → {@code ttm_bo_vm_reserve} (sleeps while a move holds the reservation: the
         * fault stops and waits for it), then {@code ttm_bo_vm_fault_reserved}: the pfn of the page in the current
         * placement, {@code vmf_insert_pfn_prot} with write-combining for VRAM, cached for system; unreserve;
         * {@code VM_FAULT_NOPAGE}. The handler may sleep between the lookup and the insert ({@link VmFault#pause}):
         * the reservation is held across it, so no move can run there. A {@link GpuDriver#GPU_CREATE_NOLOCK} BO
         * skips the reservation. SIGBUS for an offset no BO covers.
         */
        @Override
        public int fault(VmFault vmf) {
            driver.kernel().tracePath("ttm_bo_vm_fault");
            Bo bo = driver.boAtOffset(vmf.pgoff());
            if (bo == null) {
                return VmFault.VM_FAULT_SIGBUS;
            }
            if (bo.nolock) {
                vmf.pause(GpuFaultResume.insert(driver, bo, vmf.pgoff() - bo.pgoff, false));
            } else if (bo.resv.acquire().available()) {
                bo.resv.lock();
                vmf.pause(GpuFaultResume.insert(driver, bo, vmf.pgoff() - bo.pgoff, true));
            } else {
                vmf.pause(GpuFaultResume.reserve(driver, bo, vmf.pgoff() - bo.pgoff));
            }
            return VmFault.VM_FAULT_NOPAGE;
        }

        @Override
        public boolean hasNopfn() {
            return true;
        }

        /**
         * {@code ->nopfn} (2.6.19, as spufs' {@code spufs_mem_mmap_nopfn}): the pfn of the page in the current
         * placement, without the reservation ({@code do_no_pfn} inserts it after the handler returns, so no lock the
         * handler took could cover the insert). {@code NOPFN_SIGBUS} beyond every BO.
         */
        @Override
        public long nopfn(Vma vma, long addr) {
            driver.kernel().tracePath("gpu_nopfn");
            Bo bo = driver.boAtOffset(vma.linearPageIndex(addr));
            return bo == null ? VmFault.NOPFN_SIGBUS : bo.pfn(vma.linearPageIndex(addr) - bo.pgoff);
        }

        @Override
        public boolean hasNopage() {
            return true;
        }

        /**
         * {@code ->nopage} (2.6.19): for system placement the page with a reference ({@code get_page}), which
         * {@code do_no_page} maps after rechecking {@code truncate_count}; VRAM frames have no {@code struct page},
         * so the handler maps the raw pfn itself ({@code vm_insert_pfn}) and returns {@code NOPAGE_REFAULT}, all
         * under the reservation ({@code ->nopage} returns before the pte is set, so it cannot hold it longer).
         * {@code NOPAGE_SIGBUS} beyond every BO. The handler would sleep on the reservation while a move holds it; the
         * model's {@code ->nopage} runs inside one step and cannot, so it fails the fault then ({@code NOPAGE_SIGBUS}:
         * the access gets SIGBUS), a documented deviation.
         */
        @Override
        public long nopage(Vma vma, long addr) {
            driver.kernel().tracePath("gpu_nopage");
            Bo bo = driver.boAtOffset(vma.linearPageIndex(addr));
            if (bo == null) {
                return VmFault.NOPAGE_SIGBUS;
            }
            if (!bo.resv.acquire().available()) {
                return VmFault.NOPAGE_SIGBUS;
            }
            int pfn = bo.pfn(vma.linearPageIndex(addr) - bo.pgoff);
            if (bo.placement == GpuDriver.VRAM) {
                driver.kernel().vmInsertPfn(vma, addr, pfn);
                return VmFault.NOPAGE_REFAULT;
            }
            driver.kernel().getPage(pfn);
            return pfn;
        }

        /** {@code ttm_bo_vm_access} exists from 4.14 ({@link Switch#TTM_VM_ACCESS}); before, TTM had no hook. */
        @Override
        public boolean hasAccess() {
            return driver.kernel().profile().on(Switch.TTM_VM_ACCESS);
        }

        /**
         * {@code ttm_bo_vm_access}: reserve the BO, copy the word through its current placement
         * ({@code ttm_bo_vm_access_kmap}), unreserve; 8. The model's {@code ->access} cannot sleep, so a reservation
         * a move holds makes it return 0 (ptrace then reports -EIO) where the kernel would wait.
         */
        @Override
        public int access(Vma vma, long addr, long[] buf, boolean write) {
            driver.kernel().tracePath("ttm_bo_vm_access");
            Bo bo = driver.boAtOffset(vma.linearPageIndex(addr));
            int word = GpuDriver.wordOf(addr);
            if (bo == null || word < 0 || !bo.resv.acquire().available()) {
                return 0;
            }
            bo.resv.lock();
            int pfn = bo.pfn(vma.linearPageIndex(addr) - bo.pgoff);
            if (write) {
                driver.kernel().deviceWrite(pfn, word, buf[0]);
            } else {
                buf[0] = driver.kernel().deviceRead(pfn, word);
            }
            bo.resv.unlock();
            return 8;
        }
    }

    /** {@code ttm_bo_vm_ops}. */
    VmOperations ops() {
        return ops;
    }

    /** The operations of a BO made with {@link GpuDriver#GPU_CREATE_GENERIC_ACCESS}. */
    VmOperations genericAccessOps() {
        return genericAccessOps;
    }

    /** Whether {@code vmOps} are one of these tables: the VMA maps a BO of this driver. */
    boolean owns(VmOperations vmOps) {
        return vmOps == ops || vmOps == genericAccessOps;
    }

    /** A copied driver's tables stand for these from now on. */
    void pairWith(TtmBoVm copy, Copier c) {
        c.pair(ops, copy.ops);
        c.pair(genericAccessOps, copy.genericAccessOps);
    }
}
