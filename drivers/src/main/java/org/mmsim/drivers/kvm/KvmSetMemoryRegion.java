package org.mmsim.drivers.kvm;

import org.mmsim.kernel.api.DriverCall;
import org.mmsim.kernel.fs.File;
import org.mmsim.kernel.locking.Acquire;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.mm.pgtable.CacheMode;
import org.mmsim.kernel.mm.page.Page;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.uapi.Errno;

/**
 * {@code KVM_SET_USER_MEMORY_REGION} ({@code kvm_vm_ioctl_set_memory_region} → {@code __kvm_set_memory_region}) of
 * guest-physical [gpa, gpa + len) to host [hva, hva + len): one step. A fourth, model-only argument is the cache
 * attribute the guest maps the region with ({@code CacheMode}: what the guest's own page tables say, for a buffer
 * a VMM told the guest how to map, seed 001); without it, or -1, guest accesses take the attribute of the host's
 * mapping ({@link KvmDriver#HOST_CACHE}). 0, or -EINVAL (unaligned, empty: the model does not delete slots; an attribute
 * that is none of these), -EEXIST (overlaps a slot), -EIO (not the VM's mm, or the VM is dead), -ENOTTY (no VM).
 */
final class KvmSetMemoryRegion extends DriverCall {
    private final KvmDriver driver;
    private final File file;
    private final Mm mm;
    private final long gpa;
    private final long hva;
    private final long len;
    private final long cache;

    KvmSetMemoryRegion(KvmDriver driver, File file, Mm mm, long gpa, long hva, long len, long cache) {
        super(driver.kernel(), "kvm_set_memory_region");
        this.driver = driver;
        this.file = file;
        this.mm = mm;
        this.gpa = gpa;
        this.hva = hva;
        this.len = len;
        this.cache = cache;
    }

    @Override
    public Acquire blockedOn() {
        return null;
    }

    @Override
    protected void advance() {
        driver.trace("__kvm_set_memory_region");
        Vm vm = KvmDriver.vmOf(file);
        if (vm == null) {
            returns(-Errno.ENOTTY);
        } else if (vm.dead || vm.mm != mm) {
            returns(-Errno.EIO);
        } else if (!Page.aligned(gpa) || !Page.aligned(hva) || !Page.aligned(len) || len <= 0 || hva < 0
                || hva + len < 0 || cache < KvmDriver.HOST_CACHE || cache > CacheMode.UC) {
            // !access_ok(userspace_addr, memory_size): x86's valid_user_address() is the sign bit since 6.x (a
            // kernel address, or a range that runs into one); the older bound, TASK_SIZE_MAX, is not modelled
            returns(-Errno.EINVAL);
        } else if (vm.memslots.stream().anyMatch(s -> gpa < s.gpa() + s.len() && s.gpa() < gpa + len)) {
            returns(-Errno.EEXIST);
        } else {
            vm.memslots.add(new Vm.Memslot(gpa, hva, len, (int) cache));
            returns(0);
        }
    }

    @Override
    protected void locals(StateHasher h) {
        h.add(file.id()).add(mm.id()).add(gpa).add(hva).add(len).add(cache);
    }

    private KvmSetMemoryRegion(KvmSetMemoryRegion o, Copier c) {
        super(o, c);
        this.driver = c.copy(o.driver);
        this.file = c.copy(o.file);
        this.mm = c.copy(o.mm);
        this.gpa = o.gpa;
        this.hva = o.hva;
        this.len = o.len;
        this.cache = o.cache;
    }

    @Override
    public KvmSetMemoryRegion copy(Copier c) {
        return new KvmSetMemoryRegion(this, c);
    }
}
