package org.mmsim.drivers.mmio;

import org.mmsim.kernel.api.Driver;
import org.mmsim.kernel.api.Exports;
import org.mmsim.kernel.fs.File;
import org.mmsim.kernel.fs.FileOperations;
import org.mmsim.kernel.mm.VmOperations;
import org.mmsim.kernel.mm.Vma;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.Hashable;
import org.mmsim.kernel.state.StateHasher;

/**
 * {@code /dev/mmio}: a device whose registers user space maps, in the manner of a UIO or VFIO BAR, a GPU doorbell page
 * or {@code /dev/mem}. Each {@code mmap()} of the device gets a fresh stretch of the device's MMIO aperture, mapped
 * with {@code remap_pfn_range()} (PFNs above RAM, so no {@code struct page}): the VMA is
 * VM_IO|VM_PFNMAP|VM_DONTEXPAND|VM_DONTDUMP with special ptes. Loads read all-ones and stores are dropped, as with an
 * unclaimed BAR; GUP refuses the mapping (-EFAULT), so vmsplice, pins and {@code /proc/PID/mem} cannot reach it
 * ({@code mmio_vm_ops} has no {@code ->access}); fork copies its ptes; zap only clears them.
 *
 * <p>State: the next unused PFN of the aperture, registered with the kernel so that it is part of the fingerprint.
 */
public final class MmioDriver implements Driver {
    /** The device node, as {@code open()} finds it: {@code /dev/mmio}. */
    public static final String DEVICE = "mmio";

    private Exports kernel;
    private final Aperture aperture = new Aperture();

    /** The aperture's next unused page, counted from the first PFN above RAM. */
    private static final class Aperture implements Hashable {
        long next;

        @Override
        public void hashInto(StateHasher h) {
            h.add(next);
        }
    }

    private final VmOperations vmOps = () -> "mmio_vm_ops";

    private final FileOperations fops = new FileOperations() {
        @Override
        public String name() {
            return "mmio_fops";
        }

        /** {@code mmio_mmap()}: the next pages of the aperture, mapped at once; the VMA gets {@code mmio_vm_ops}. */
        @Override
        public int mmap(File file, Vma vma) {
            kernel.tracePath("mmio_mmap");
            long size = vma.end() - vma.start();
            long pfn = kernel.firstDevicePfn() + aperture.next;
            int r = kernel.remapPfnRange(vma, vma.start(), pfn, size, vma.pageProt());
            if (r < 0) {
                return r;
            }
            aperture.next += size >>> Page.PAGE_SHIFT;
            vma.setVmOps(vmOps);
            return 0;
        }
    };

    @Override
    public String name() {
        return DEVICE;
    }

    @Override
    public void init(Exports k) {
        this.kernel = k;
        k.registerChrdev(DEVICE, fops);
        k.registerState(aperture);
    }

    @Override
    public Driver copy(Exports k, Copier c) {
        MmioDriver d = new MmioDriver();
        d.init(k);
        c.pair(fops, d.fops);
        c.pair(vmOps, d.vmOps);
        c.pair(aperture, d.aperture);
        d.aperture.next = aperture.next;
        return d;
    }
}
