package org.mmsim.drivers.kvm;

import org.mmsim.kernel.api.DriverCall;
import org.mmsim.kernel.fs.File;
import org.mmsim.kernel.locking.Acquire;
import org.mmsim.kernel.mm.Mm;
import org.mmsim.kernel.state.Copier;
import org.mmsim.kernel.state.StateHasher;
import org.mmsim.kernel.uapi.Errno;

/**
 * {@code KVM_CREATE_VM} ({@code kvm_dev_ioctl_create_vm} → {@code kvm_create_vm}): a VM of the caller's mm
 * ({@code kvm->mm = current->mm}), subscribed with {@code mmu_notifier_register} when {@code kvm_mmu_notifier} is on,
 * which takes {@code mmap_lock} for write (so this step waits for it). One step. 0, or -EBUSY if this open of
 * {@code /dev/kvm} is a VM already (the model's VM is the open file; see {@link KvmDriver}).
 */
final class KvmCreateVm extends DriverCall {
    private final KvmDriver driver;
    private final File file;
    private final Mm mm;

    KvmCreateVm(KvmDriver driver, File file, Mm mm) {
        super(driver.kernel(), "kvm_create_vm");
        this.driver = driver;
        this.file = file;
        this.mm = mm;
    }

    @Override
    public Acquire blockedOn() {
        return driver.notifierOn() && KvmDriver.vmOf(file) == null ? driver.kernel().mmapWriteAcquire(mm).blocked()
                : null;
    }

    @Override
    protected void advance() {
        driver.trace("kvm_create_vm");
        if (KvmDriver.vmOf(file) != null) {
            returns(-Errno.EBUSY);
            return;
        }
        file.setPrivateData(driver.createVm(mm));
        returns(0);
    }

    @Override
    protected void locals(StateHasher h) {
        h.add(file.id()).add(mm.id());
    }

    private KvmCreateVm(KvmCreateVm o, Copier c) {
        super(o, c);
        this.driver = c.copy(o.driver);
        this.file = c.copy(o.file);
        this.mm = c.copy(o.mm);
    }

    @Override
    public KvmCreateVm copy(Copier c) {
        return new KvmCreateVm(this, c);
    }
}
