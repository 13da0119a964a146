package org.mmsim.kernel.mm.filemap;

import org.mmsim.kernel.mm.AddressSpace;
import org.mmsim.kernel.mm.VmFault;
import org.mmsim.kernel.mm.VmOperations;

/**
 * The {@code vm_operations_struct} of a page-cache mapping: {@code ->fault} is {@code filemap_fault()} (or, for shmem,
 * {@code shmem_fault()}): beyond {@code i_size} is SIGBUS, else the page caching the faulting offset, brought in if
 * needed, handed back with a reference. {@code generic_file_vm_ops} and {@code shmem_vm_ops} have no
 * {@code ->page_mkwrite}; a filesystem that wants one (ext4) extends this class.
 */
public class FileVmOps implements VmOperations {
    private final String name;
    protected final Filemap filemap;

    public FileVmOps(String name, Filemap filemap) {
        this.name = name;
        this.filemap = filemap;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final int fault(VmFault vmf) {
        AddressSpace mapping = vmf.vma().mapping();
        long index = vmf.pgoff();
        if (index >= mapping.sizePages()) {
            return VmFault.VM_FAULT_SIGBUS;
        }
        int pfn = filemap.findGetPage(mapping, index);
        if (pfn < 0) {
            return VmFault.VM_FAULT_OOM;
        }
        vmf.setPage(pfn);
        return 0;
    }
}
