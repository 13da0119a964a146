package org.mmsim.kernel.mm.memory;

import org.mmsim.kernel.api.Driver;
import org.mmsim.kernel.api.Exports;
import org.mmsim.kernel.fs.File;
import org.mmsim.kernel.fs.FileOperations;
import org.mmsim.kernel.mm.AddressSpace;
import org.mmsim.kernel.mm.VmFault;
import org.mmsim.kernel.mm.VmFlags;
import org.mmsim.kernel.mm.VmOperations;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateHasher;

/**
 * A device for kernel tests of device mappings: {@code /dev/testdev}, one object of {@link #PAGES} pages whose
 * placement the test switches between two sets of device frames, {@code a} (raw PFNs) and {@code b} (with struct
 * pages). Its handlers answer as the test sets them: {@code ->nopfn}, {@code ->nopage}, {@code ->fault} that may
 * pause between computing the pfn and inserting it, or fixed error returns.
 */
final class TestDevice implements Driver {
    static final int PAGES = 2;

    Exports k;
    AddressSpace mapping;
    int rawBase;
    int pageBase;
    /** Which frames hold the object now: false the raw ones, true the struct-page ones. */
    boolean inPages;
    /** What the handlers return instead of a pfn, if not 0 (NOPAGE_*, NOPFN_*, VM_FAULT_*). */
    long error;
    /** Whether {@code ->fault} pauses between the lookup and the insert. */
    boolean pause;
    /** Whether {@code ->access} is {@code generic_access_phys}. */
    boolean genericAccess;
    /** VM_FAULT_RETRY answers still to give. */
    int retries;
    long vmFlags = VmFlags.VM_IO | VmFlags.VM_PFNMAP | VmFlags.VM_DONTEXPAND | VmFlags.VM_DONTDUMP;

    int pfnOf(long pgoff) {
        return (int) ((inPages ? pageBase : rawBase) + pgoff);
    }

    final VmOperations vmOps = new VmOperations() {
        @Override
        public String name() {
            return "testdev_vm_ops";
        }

        @Override
        public boolean hasNopage() {
            return true;
        }

        @Override
        public long nopage(Vma vma, long addr) {
            if (error != 0) {
                return error;
            }
            int pfn = pageBase + (int) vma.linearPageIndex(addr);
            k.getPage(pfn);
            return pfn;
        }

        @Override
        public boolean hasNopfn() {
            return true;
        }

        @Override
        public long nopfn(Vma vma, long addr) {
            return error != 0 ? error : pfnOf(vma.linearPageIndex(addr));
        }

        @Override
        public int fault(VmFault vmf) {
            if (error != 0) {
                return (int) error;
            }
            if (retries > 0) {
                retries--;
                return VmFault.VM_FAULT_RETRY;
            }
            int pfn = pfnOf(vmf.pgoff());
            if (pause) {
                vmf.pause(new Insert(pfn));
                return VmFault.VM_FAULT_NOPAGE;
            }
            return k.vmfInsertPfn(vmf.vma(), vmf.address(), pfn);
        }

        @Override
        public boolean hasAccess() {
            return true;
        }

        @Override
        public boolean accessIsGenericAccessPhys() {
            return genericAccess;
        }

        @Override
        public int access(Vma vma, long addr, long[] buf, boolean write) {
            buf[0] = k.deviceRead(pfnOf(vma.linearPageIndex(addr)), (int) ((addr & 4095) >>> 3));
            return 8;
        }
    };

    /** The second half of a paused {@code ->fault}: insert the pfn looked up before the pause. */
    final class Insert implements VmFault.Resume {
        final int pfn;

        Insert(int pfn) {
            this.pfn = pfn;
        }

        @Override
        public int resume(VmFault vmf) {
            return k.vmfInsertPfn(vmf.vma(), vmf.address(), pfn);
        }

        @Override
        public void hashInto(StateHasher h) {
            h.add(pfn);
        }

        @Override
        public Insert copy(Copier c) {
            return new Insert(pfn);
        }
    }

    final FileOperations fops = new FileOperations() {
        @Override
        public String name() {
            return "testdev_fops";
        }

        @Override
        public int open(File file) {
            file.setMapping(mapping);
            return 0;
        }

        @Override
        public int mmap(File file, Vma vma) {
            vma.setFlags(vma.flags() | vmFlags);
            vma.setVmOps(vmOps);
            return 0;
        }
    };

    @Override
    public String name() {
        return "testdev";
    }

    @Override
    public void init(Exports kernel) {
        this.k = kernel;
        kernel.registerChrdev("testdev", fops);
        rawBase = kernel.reserveDeviceMemory(PAGES, false);
        pageBase = kernel.reserveDeviceMemory(PAGES, true);
        mapping = kernel.newDeviceMapping("testdev");
    }

    @Override
    public Driver copy(Exports kernel, Copier c) {
        throw new UnsupportedOperationException("kernel tests do not copy the test device");
    }
}
