package org.mmsim.kernel;

/**
 * What the CPU does on a user load or store (the MMU's walk, setting the accessed and dirty bits) and, when the
 * walk fails, the architecture's fault entry (arch/x86/mm/fault.c {@code do_user_addr_fault}): find the VMA,
 * check the access ({@code access_error}), call {@code handle_mm_fault}, and retry the access. Failures become a
 * signal for the task: {@link #SIGSEGV} for no VMA or no permission, {@link #SIGBUS} when memory ran out.
 */
final class Mmu {
    static final int SIGBUS = 7;
    static final int SIGSEGV = 11;

    private final Kernel k;

    Mmu(Kernel k) {
        this.k = k;
    }

    /**
     * Make {@code addr} accessible to {@code mm} for a load or a store, faulting as the hardware would.
     *
     * @return the PFN the access reaches, or the negated signal number
     */
    int access(Mm mm, long addr, boolean write) {
        for (int attempt = 0; attempt < 4; attempt++) {
            long pte = mm.pte(addr);
            if (Pte.hwAccessible(pte) && (!write || Pte.write(pte))) {
                long done = Pte.mkYoung(pte);
                if (write) {
                    done = Pte.mkDirty(done);
                }
                if (done != pte) {
                    mm.setPte(addr, done);
                }
                return Pte.pfn(pte);
            }
            int sig = doUserAddrFault(mm, addr, write);
            if (sig != 0) {
                return -sig;
            }
        }
        throw new KernelBug("fault_loop", "access to " + Long.toHexString(addr) + " still faults after 4 faults");
    }

    /** {@code do_user_addr_fault()}: 0 if the fault was handled, else the signal to deliver. */
    private int doUserAddrFault(Mm mm, long addr, boolean write) {
        k.path("do_user_addr_fault");
        Vma vma = mm.vmaAt(addr);
        if (vma == null || accessError(vma, write)) {
            return SIGSEGV;
        }
        int flags = Memory.FAULT_FLAG_USER | (write ? Memory.FAULT_FLAG_WRITE : 0);
        int ret = k.memory.handleMmFault(vma, addr, flags);
        if ((ret & Memory.VM_FAULT_OOM) != 0) {
            return SIGBUS;
        }
        if ((ret & Memory.VM_FAULT_ERROR) != 0) {
            return (ret & Memory.VM_FAULT_SIGBUS) != 0 ? SIGBUS : SIGSEGV;
        }
        return 0;
    }

    /** {@code access_error()}: a write needs VM_WRITE; any access needs one of READ, WRITE, EXEC. */
    private static boolean accessError(Vma vma, boolean write) {
        if (write) {
            return !vma.has(VmFlags.VM_WRITE);
        }
        return !vma.has(VmFlags.VM_READ | VmFlags.VM_WRITE | VmFlags.VM_EXEC);
    }
}
