package org.mmsim.drivers.spu;

import org.mmsim.kernel.mm.VmFault;
import org.mmsim.kernel.mm.VmFlags;
import org.mmsim.kernel.mm.VmOperations;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.uapi.Errno;

/**
 * The CPU side of a context's mappings (arch/powerpc/platforms/cell/spufs/file.c): {@code spufs_mem_mmap_vmops} for the
 * local store and {@code spufs_ps_mmap_vmops} for the problem-state page, each with the era's fault interface
 * ({@code ->fault}, or 2.6.19's {@code ->nopage}) and, for the local store, {@code ->access}. Stateless: the contexts,
 * their mutexes and the physical SPUs are the driver's ({@link SpuDriver}); a copied driver pairs its tables with the
 * original's ({@link #pairWith}).
 */
final class SpufsVmOps {
    private final SpuDriver driver;

    /** {@code spufs_mem_mmap_vmops}. */
    private final VmOperations localStore = new VmOperations() {
        @Override
        public String name() {
            return "spufs_mem_mmap_vmops";
        }

        /**
         * {@code spufs_mem_mmap_fault}: SIGBUS beyond the local store; {@code spu_acquire(ctx)} (a held mutex: the
         * fault sleeps, {@link LsResume}); the physical LS PFN, noncached, when the context is loaded, the saved
         * image's, cached, when not; {@code vmf_insert_pfn_prot}; {@code spu_release}. VM_FAULT_NOPAGE.
         */
        @Override
        public int fault(VmFault vmf) {
            SpuContext ctx = SpuDriver.contextOf(vmf.vma());
            int page = SpuDriver.lsPage(vmf.vma(), vmf.address());
            if (ctx == null || page < 0) {
                return VmFault.VM_FAULT_SIGBUS;
            }
            driver.kernel().tracePath("spufs_mem_mmap_fault");
            if (!ctx.stateMutex.acquire().available()) {
                vmf.pause(new LsResume(driver, ctx));
                return VmFault.VM_FAULT_NOPAGE;
            }
            return driver.lsInsert(vmf.vma(), vmf.address(), ctx);
        }

        @Override
        public boolean hasNopage() {
            return true;
        }

        /**
         * {@code spufs_mem_mmap_nopage} (2.6.19): {@code spu_acquire(ctx)}; the physical LS page when loaded, the
         * saved image's ({@code vmalloc_to_page}) when not; {@code page_cache_get}; {@code spu_release}. In this era
         * {@link SpuRun} is one step, so the mutex is never held between steps and the handler never waits.
         */
        @Override
        public long nopage(Vma vma, long addr) {
            SpuContext ctx = SpuDriver.contextOf(vma);
            int page = SpuDriver.lsPage(vma, addr);
            if (ctx == null || page < 0) {
                return VmFault.NOPAGE_SIGBUS;
            }
            driver.kernel().tracePath("spufs_mem_mmap_nopage");
            int pfn = driver.lsPfn(ctx, page);
            driver.kernel().getPage(pfn);
            return pfn;
        }

        @Override
        public boolean hasAccess() {
            return true;
        }

        /**
         * {@code spufs_mem_mmap_access} (ptrace through {@code ->access}, 2.6.27+): -EACCES for a write to a
         * read-only mapping, -EFAULT beyond the local store; under {@code ctx->state_mutex}, {@code ctx->ops->get_ls}
         * (the physical LS if loaded, else the saved image) and the copy. The model's {@code ->access} cannot sleep:
         * when a switch holds the mutex it reads where the context's contents are at this step, which the switch
         * moves together with the state in one step ({@link SpuRun}), so it reads what it would after waiting.
         */
        @Override
        public int access(Vma vma, long addr, long[] buf, boolean write) {
            SpuContext ctx = SpuDriver.contextOf(vma);
            int page = SpuDriver.lsPage(vma, addr);
            if (ctx == null || page < 0) {
                return -Errno.EFAULT;
            }
            if (write && !vma.has(VmFlags.VM_WRITE)) {
                return -Errno.EACCES;
            }
            driver.kernel().tracePath("spufs_mem_mmap_access");
            boolean take = ctx.stateMutex.acquire().available();
            if (take) {
                ctx.stateMutex.lock();
            }
            int pfn = driver.lsPfn(ctx, page);
            int word = Page.wordOf(addr, "address");
            if (write) {
                driver.kernel().deviceWrite(pfn, word, buf[0]);
            } else {
                buf[0] = driver.kernel().deviceRead(pfn, word);
            }
            if (take) {
                ctx.stateMutex.unlock();
            }
            return 8;
        }
    };

    /** {@code spufs_ps_mmap_vmops}. */
    private final VmOperations problemState = new VmOperations() {
        @Override
        public String name() {
            return "spufs_ps_mmap_vmops";
        }

        /**
         * {@code spufs_ps_fault}: {@code spu_acquire}; if the context is saved, drop {@code mmap_lock} and
         * {@code spufs_wait(ctx->run_wq, ctx->state == SPU_STATE_RUNNABLE)} ({@link PsResume}: the access sleeps
         * until the context is loaded); else {@code vmf_insert_pfn} of the SPU's problem-state page, noncached.
         */
        @Override
        public int fault(VmFault vmf) {
            SpuContext ctx = SpuDriver.contextOf(vmf.vma());
            if (ctx == null) {
                return VmFault.VM_FAULT_SIGBUS;
            }
            driver.kernel().tracePath("spufs_ps_fault");
            return driver.psFault(vmf, ctx);
        }

        @Override
        public boolean hasNopage() {
            return true;
        }

        /**
         * {@code spufs_ps_nopage} (2.6.19): the SPU's problem-state page when the context is loaded; else
         * NOPAGE_REFAULT (the access is retried; the model retries a few times in one step, then reports a
         * {@code fault_loop}: the 2.6.19 handler's wait is not modelled).
         */
        @Override
        public long nopage(Vma vma, long addr) {
            SpuContext ctx = SpuDriver.contextOf(vma);
            if (ctx == null) {
                return VmFault.NOPAGE_SIGBUS;
            }
            driver.kernel().tracePath("spufs_ps_nopage");
            if (!ctx.loaded()) {
                return VmFault.NOPAGE_REFAULT;
            }
            int pfn = driver.spus().ps + ctx.spu;
            driver.kernel().getPage(pfn);
            return pfn;
        }
    };

    SpufsVmOps(SpuDriver driver) {
        this.driver = driver;
    }

    /** {@code spufs_mem_mmap_vmops}. */
    VmOperations localStore() {
        return localStore;
    }

    /** {@code spufs_ps_mmap_vmops}. */
    VmOperations problemState() {
        return problemState;
    }

    /** Whether {@code vmOps} are one of these tables: the VMA maps a context of this driver. */
    boolean owns(VmOperations vmOps) {
        return vmOps == localStore || vmOps == problemState;
    }

    /** A copied driver's tables stand for these from now on. */
    void pairWith(SpufsVmOps copy, Copier c) {
        c.pair(localStore, copy.localStore);
        c.pair(problemState, copy.problemState);
    }
}
